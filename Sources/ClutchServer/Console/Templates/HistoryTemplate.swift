// `/ui/flags/{key}/history`: revisions newest first; "Restore" opens a preview (a GET, nothing
// changes) listing what restoring would change, with the confirming POST form under it.
enum HistoryTemplate {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <p class="crumbs"><a href="{{flagURL}}">← {{key}}</a></p>
        <h1>History of {{key}}</h1>
        {{#preview}}
        <section class="card" id="preview" aria-labelledby="preview-h">
          <h2 id="preview-h">Restore revision {{number}}: {{scopeText}}</h2>
          {{#empty}}<p>Restoring it changes nothing: the flag already is like that.</p>{{/empty}}
          {{^empty}}<p>Restoring it will make these changes:</p>
          <ul class="diff plain-diff">{{#diff}}<li>{{.}}</li>{{/diff}}</ul>{{/empty}}
          {{#canRestore}}<form method="post" action="{{restoreURL}}" class="change" data-confirm-env="{{#needsConfirm}}{{confirmWord}}{{/needsConfirm}}">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="env" value="{{env}}">
            <input type="hidden" name="revision" value="{{number}}">
            <input type="hidden" name="scope" value="{{scope}}">
            <label>Message (optional, kept in the history) <input name="message" type="text" maxlength="500"></label>
            {{#needsConfirm}}<label><span>Type <strong>{{confirmWord}}</strong> to confirm</span> <input name="confirm" type="text" autocomplete="off" required></label>{{/needsConfirm}}
            <button type="submit" class="primary">Restore revision {{number}}</button>
          </form>{{/canRestore}}{{^canRestore}}<p class="why">{{whyRestore}}</p>{{/canRestore}}
        </section>
        {{/preview}}
        <ol class="revisions" reversed>
          {{#revisions}}
          <li class="card revision" id="r{{number}}">
            <h2>Revision {{number}}{{#current}} <span class="badge">current</span>{{/current}}</h2>
            <p class="meta"><time datetime="{{when}}">{{at}}</time> · {{actor}} · {{action}}</p>
            <p>{{summary}}</p>
            {{#message}}<p class="message">“{{.}}”</p>{{/message}}
            <details><summary>What changed</summary>
              <ul class="diff plain-diff">{{#diff}}<li>{{.}}</li>{{/diff}}</ul>
            </details>
            {{#restorable}}<p class="buttons"><a class="button" href="{{previewEnvURL}}">Restore in {{env}}…</a> <a class="button" href="{{previewAllURL}}">Restore whole flag…</a></p>{{/restorable}}
          </li>
          {{/revisions}}
        </ol>
        <p class="pager">{{#newerURL}}<a href="{{.}}">← Newer</a>{{/newerURL}} {{#olderURL}}<a href="{{.}}">Older →</a>{{/olderURL}}</p>
        {{> foot}}
        """#
}
