// `/ui/cohorts` and `/ui/cohorts/{key}`: cohorts with their sizes, conditions and the flags
// that use them; one cohort's members a page at a time, with a search and add/remove forms.
enum CohortTemplates {
    static let list = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>Cohorts</h1>
        <nav class="envs" aria-label="Environment">
          {{#environments}}<a href="{{url}}"{{#current}} aria-current="page" class="current"{{/current}}>{{key}}</a>{{/environments}}
        </nav>
        <div class="scroll">
        <table>
          <thead><tr><th scope="col">Cohort</th><th scope="col">Members</th><th scope="col">Conditions</th><th scope="col">Used by</th></tr></thead>
          <tbody>
          {{#cohorts}}<tr>
            <th scope="row"><a href="{{url}}">{{key}}</a>{{#description}}<div class="desc">{{.}}</div>{{/description}}<div class="meta">by {{attribute}}</div></th>
            <td>{{size}}</td>
            <td>{{clauses}}</td>
            <td>{{#flags}}<a href="{{url}}">{{key}}</a> {{/flags}}{{#unused}}<span class="meta">no flag</span>{{/unused}}</td>
          </tr>{{/cohorts}}
          </tbody>
        </table>
        </div>
        {{^cohorts}}<p>{{env}} has no cohorts.</p>{{/cohorts}}
        <section class="card" aria-labelledby="new-cohort">
          <h2 id="new-cohort">New cohort in {{env}}</h2>
          {{#canEdit}}<form method="post" action="/ui/cohorts" class="change" data-confirm-env="{{#needsConfirm}}{{env}}{{/needsConfirm}}">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}">
            <label>Cohort key <span class="hint">lowercase letters, digits, - _ .</span> <input name="key" type="text" required></label>
            <label>Description <input name="description" type="text" maxlength="500"></label>
            <label>Members are matched on <input name="attribute" type="text" value="customerId"></label>
            <label>First members <span class="hint">optional; commas or new lines</span> <textarea name="members" rows="2"></textarea></label>
            <label>Message (optional, kept in the history) <input name="message" type="text" maxlength="500"></label>
            {{#needsConfirm}}<label><span>Type <strong>{{env}}</strong> to confirm</span> <input name="confirm" type="text" autocomplete="off" required></label>{{/needsConfirm}}
            <button type="submit">Create cohort</button>
          </form>{{/canEdit}}{{^canEdit}}<p class="why">{{whyEdit}}</p>{{/canEdit}}
        </section>
        {{> foot}}
        """#

    static let cohort = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <p class="crumbs"><a href="{{listURL}}">← All cohorts in {{env}}</a></p>
        <h1>Cohort {{key}} <span class="meta">in {{env}}</span></h1>
        {{#description}}<p class="desc">{{.}}</p>{{/description}}
        <p class="meta">revision {{revision}} · updated {{updatedAt}} by {{updatedBy}} · members matched on {{attribute}}</p>
        <section class="card" aria-labelledby="clauses-h">
          <h2 id="clauses-h">Conditions</h2>
          {{#hasClauses}}<p>Also a member: every context where all of these hold:</p><ul>{{#clauses}}<li>{{text}}</li>{{/clauses}}</ul>{{/hasClauses}}
          {{^hasClauses}}<p>None: only the members listed below.</p>{{/hasClauses}}
          <h2>Used by</h2>
          <p>{{#flags}}<a href="{{url}}">{{key}}</a> {{/flags}}{{^flags}}No flag uses it in {{env}}.{{/flags}}</p>
        </section>
        <section class="card" aria-labelledby="members-h">
          <h2 id="members-h">Members ({{total}})</h2>
          <form method="get" action="/ui/cohorts/{{key}}" class="filters" role="search">
            <input type="hidden" name="env" value="{{env}}">
            <label>Find member <input type="search" name="q" value="{{q}}"></label>
            <button type="submit">Find</button>
          </form>
          <ul class="chips" aria-label="Members">{{#members}}<li><span class="chip">{{.}}</span></li>{{/members}}</ul>
          {{^hasMembers}}<p>No members{{#searching}} match{{/searching}}.</p>{{/hasMembers}}
          <p class="pager">{{#firstURL}}<a href="{{.}}">← First page</a>{{/firstURL}} {{#nextURL}}<a href="{{.}}">Next {{shown}} →</a>{{/nextURL}}</p>
        </section>
        <section class="card" aria-labelledby="change-h">
          <h2 id="change-h">Add or remove members</h2>
          {{#canEdit}}<form method="post" action="{{membersURL}}" class="change" data-confirm-env="{{#needsConfirm}}{{env}}{{/needsConfirm}}">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}">
            <label>Member ids <span class="hint">{{attribute}} values, commas or new lines</span> <textarea name="members" rows="3" required></textarea></label>
            <label>Message (optional, kept in the history) <input name="message" type="text" maxlength="500"></label>
            {{#needsConfirm}}<label><span>Type <strong>{{env}}</strong> to confirm</span> <input name="confirm" type="text" autocomplete="off" required></label>{{/needsConfirm}}
            <div class="buttons">
              <button type="submit" name="do" value="add">Add members</button>
              <button type="submit" name="do" value="remove">Remove members</button>
            </div>
          </form>{{/canEdit}}{{^canEdit}}<p class="why">{{whyEdit}}</p>{{/canEdit}}
        </section>
        {{> foot}}
        """#
}
