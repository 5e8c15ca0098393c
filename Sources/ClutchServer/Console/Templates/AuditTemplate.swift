// `/ui/audit`: a GET filter form (bookmarkable, no script needed) and the events, newest first.
enum AuditTemplate {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>Audit log</h1>
        <form method="get" action="/ui/audit" class="filters" role="search">
          <label>Flag <input type="text" name="flag" value="{{flag}}" placeholder="flag key"></label>
          <label>Actor
            <select name="actor"><option value="">Anyone</option>{{#actors}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/actors}}</select>
          </label>
          <label>From <input type="date" name="from" value="{{from}}"></label>
          <label>To <input type="date" name="to" value="{{to}}"></label>
          <button type="submit">Apply</button>
        </form>
        <div class="scroll">
        <table class="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Message</th></tr></thead>
          <tbody>
          {{#events}}<tr>
            <td><time datetime="{{when}}" title="{{when}}">{{at}}</time></td>
            <td>{{actor}}</td>
            <td>{{action}} {{entity}} {{#url}}<a href="{{.}}">{{key}}</a>{{/url}}{{^url}}{{key}}{{/url}}{{#environment}} in {{.}}{{/environment}}{{#revision}} (revision {{.}}){{/revision}}</td>
            <td>{{#message}}“{{.}}”{{/message}}</td>
          </tr>{{/events}}
          </tbody>
        </table>
        </div>
        {{^events}}<p>No events match.</p>{{/events}}
        <p class="pager">{{#newestURL}}<a href="{{.}}">← Newest</a>{{/newestURL}} {{#olderURL}}<a href="{{.}}">Older →</a>{{/olderURL}}</p>
        {{> foot}}
        """#
}
