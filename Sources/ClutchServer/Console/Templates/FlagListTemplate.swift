// `/ui/flags`: every flag with its state in each environment. Filters are a GET form, so the
// page works without JavaScript and a filtered view can be bookmarked. The rows are written by
// ConsoleFlagRows (escaped there with ConsoleHTML.escape): with 2,000 flags a Mustache section
// per row cost most of the page's time.
enum FlagListTemplate {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>Flags</h1>
        {{#blocks}}<div class="blocked-banner"><p class="problem blocked" role="alert">{{text}}: changes that widen exposure wait; turning off and kill still apply.</p>{{#mayUnblock}}<form method="post" action="{{unblockURL}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="from" value="flags"><button type="submit" aria-label="Unblock {{subject}}">Unblock</button></form>{{/mayUnblock}}</div>{{/blocks}}
        {{#canCreate}}<p><a class="button primary" href="/ui/new-flag" id="new-flag">New flag</a></p>{{/canCreate}}
        <nav class="envs" aria-label="Environment">
          {{#environments}}<a href="{{url}}"{{#current}} aria-current="page" class="current"{{/current}}>{{key}}</a>{{/environments}}
        </nav>
        <form method="get" action="/ui/flags" class="filters" role="search" id="flag-filters">
          <input type="hidden" name="env" value="{{env}}">
          <label>Search <input type="search" name="q" value="{{q}}" placeholder="key, description or tag" autocomplete="off"></label>
          <label>Tag
            <select name="tag">
              <option value="">Any tag</option>
              {{#tags}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/tags}}
            </select>
          </label>
          <label>State in {{env}}
            <select name="state">
              {{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}
            </select>
          </label>
          <label>Stage in {{env}}
            <select name="stage">
              {{#stages}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/stages}}
            </select>
          </label>
          <button type="submit">Apply</button>
        </form>
        {{#canBlock}}<details class="freeze"><summary>Freeze {{env}}</summary>
          <form method="post" action="/ui/blocks" class="change" id="freeze-form">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="env" value="{{env}}"><input type="hidden" name="scope" value="environment"><input type="hidden" name="from" value="flags">
            <p class="hint">A change freeze: no change that widens exposure applies to any flag in {{env}} until it is lifted; turning off and kill still apply.</p>
            <label>Reason <input name="reason" type="text" maxlength="500" required></label>
            <label>Until (optional, UTC) <input name="until" type="datetime-local"></label>
            <button type="submit">Freeze every flag in {{env}}</button>
          </form>
        </details>{{/canBlock}}
        <div id="flag-results">
        {{> flagResults}}
        </div>
        {{> foot}}
        """#

    /// The results alone: the page's `#flag-results`, and what `?fragment=results` answers for
    /// the search box's script to swap in. `shown` counts this page, `matched` every page.
    static let results = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}
        <p class="count" role="status">{{#paged}}{{first}}–{{last}} of {{matched}} matching flags ({{total}} in all){{/paged}}{{^paged}}{{shown}} of {{total}} flags{{/paged}}</p>
        <div class="scroll">
        <table class="flags">
          <thead><tr>
            <th scope="col">Flag</th>
            {{#environments}}<th scope="col">{{key}}</th>{{/environments}}
            <th scope="col">Last evaluated in {{env}}</th>
          </tr></thead>
          <tbody>
          {{{rowsHTML}}}
          </tbody>
        </table>
        </div>
        {{^hasFlags}}<p>No flags match.</p>{{/hasFlags}}
        {{#paged}}<nav class="pager" aria-label="Pages">{{#previousURL}}<a href="{{.}}" rel="prev">← Previous</a>{{/previousURL}} <span>Page {{page}} of {{pages}}</span> {{#nextURL}}<a href="{{.}}" rel="next">Next →</a>{{/nextURL}}</nav>{{/paged}}
        """#
}
