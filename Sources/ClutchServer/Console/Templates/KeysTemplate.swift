// `/ui/keys`: every SDK key with its kind, written out (a server key is a secret, a client key is public).
enum KeysTemplate {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>SDK keys</h1>
        <p class="hint">A <strong>server</strong> key is a secret: it downloads every rule, target and cohort member, so it stays on servers.
        A <strong>client</strong> key is public: apps on devices and in browsers use it to get their own answers only.
        Create keys with <code>clutch keys create --env ENV --kind client|server</code>.</p>
        <div class="scroll">
        <table class="keys">
          <thead><tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Environment</th><th scope="col">Kind</th><th scope="col">Created</th><th scope="col">Revoked</th></tr></thead>
          <tbody>
          {{#keys}}<tr>
            <td><code>{{id}}</code></td>
            <td>{{name}}</td>
            <td>{{environment}}</td>
            <td>{{kind}} ({{#client}}public{{/client}}{{^client}}secret{{/client}})</td>
            <td><time datetime="{{createdISO}}">{{created}}</time></td>
            <td>{{#revoked}}revoked {{.}}{{/revoked}}{{^revoked}}active{{/revoked}}</td>
          </tr>{{/keys}}
          </tbody>
        </table>
        </div>
        {{^keys}}<p>No SDK keys yet.</p>{{/keys}}
        {{> foot}}
        """#
}
