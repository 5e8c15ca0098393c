// `/ui/flags/{key}`: what everyone gets, in evaluation order, and the switches. Every change is
// a POST form with the session's CSRF token; production asks for its name to be typed.
enum FlagPageTemplate {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <p class="crumbs"><a href="{{listURL}}">← All flags</a></p>
        <h1>{{key}} {{#archived}}<span class="badge">archived</span>{{/archived}}</h1>
        {{#description}}<p class="desc">{{.}}</p>{{/description}}
        {{#hasTags}}<p class="tags">{{#tags}}<span class="tag">{{.}}</span> {{/tags}}</p>{{/hasTags}}
        <p class="meta">{{type}} · revision {{revision}} · updated {{updatedAt}} by {{updatedBy}}</p>
        <nav class="envs" aria-label="Environment">
          {{#environments}}<a href="{{url}}"{{#current}} aria-current="page" class="current"{{/current}}>{{key}} <span class="{{#on}}on{{/on}}{{^on}}off{{/on}}">{{#on}}On{{/on}}{{^on}}Off{{/on}}</span></a>{{/environments}}
        </nav>

        <section class="card" aria-labelledby="gets">
          <h2 id="gets">In {{env}}: <span class="state {{#on}}on{{/on}}{{^on}}off{{/on}}">{{#on}}On{{/on}}{{^on}}Off{{/on}}</span></h2>
          <ol class="steps">
            {{#steps}}<li class="step {{kind}}">{{text}}</li>{{/steps}}
          </ol>
          <p class="meta">Last evaluated here: {{lastEvaluated}}</p>
        </section>

        <section class="card" aria-labelledby="switch">
          <h2 id="switch">Switch {{#on}}off{{/on}}{{^on}}on{{/on}} in {{env}}</h2>
          <form method="post" action="{{toggleURL}}" class="change" data-confirm-env="{{#needsConfirm}}{{env}}{{/needsConfirm}}">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="env" value="{{env}}">
            <input type="hidden" name="to" value="{{#on}}off{{/on}}{{^on}}on{{/on}}">
            <label for="message-toggle">Message (optional, kept in the history)</label>
            <input id="message-toggle" name="message" type="text" maxlength="500">
            {{#needsConfirm}}
            <label for="confirm-toggle">Type <strong>{{env}}</strong> to confirm</label>
            <input id="confirm-toggle" name="confirm" type="text" autocomplete="off" required>
            {{/needsConfirm}}
            <button type="submit" class="primary">{{#on}}Turn off{{/on}}{{^on}}Turn on{{/on}} in {{env}}</button>
          </form>
        </section>

        <section class="card danger" aria-labelledby="kill">
          <h2 id="kill">Kill switch</h2>
          <p>Turns the flag off in every environment at once: everyone gets “{{offVariant}}”.</p>
          <form method="post" action="{{killURL}}" class="change kill" data-kill="{{key}}">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="env" value="{{env}}">
            <label for="message-kill">Message (optional, kept in the history)</label>
            <input id="message-kill" name="message" type="text" maxlength="500">
            <button type="submit" class="danger">Kill switch: off everywhere</button>
          </form>
        </section>
        <section class="card" aria-labelledby="history">
          <h2 id="history">Recent changes</h2>
          <ul class="history">
            {{#history}}<li><span class="meta">#{{number}} · {{at}} · {{actor}}</span> {{summary}}{{#message}}<div class="message">“{{.}}”</div>{{/message}}</li>{{/history}}
          </ul>
        </section>
        {{> foot}}
        """#
}
