// `/ui/flags`: every flag with its state in each environment. Filters are a GET form, so the
// page works without JavaScript and a filtered view can be bookmarked. The rows are written by
// ConsoleFlagRows (escaped there with ConsoleHTML.escape): with 2,000 flags a Mustache section
// per row cost most of the page's time.
enum FlagListTemplate {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>Flags</h1>
        {{#canCreate}}<p><a class="button primary" href="/ui/new-flag" id="new-flag">New flag</a></p>{{/canCreate}}
        <nav class="envs" aria-label="Environment">
          {{#environments}}<a href="{{url}}"{{#current}} aria-current="page" class="current"{{/current}}>{{key}}</a>{{/environments}}
        </nav>
        <form method="get" action="/ui/flags" class="filters" role="search">
          <input type="hidden" name="env" value="{{env}}">
          <label>Search <input type="search" name="q" value="{{q}}" placeholder="key or description"></label>
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
        <p class="count">{{shown}} of {{total}} flags</p>
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
        {{> foot}}
        """#
}
