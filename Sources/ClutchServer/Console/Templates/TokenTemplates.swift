// `/ui/tokens`: the signed-in person's personal tokens, a form for a new one (its secret shown
// once, on the page that made it) and a revoke button for each.
enum TokenTemplates {
    static let page = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>Your tokens</h1>
        {{#created}}
        <section class="card" aria-labelledby="new-token">
          <h2 id="new-token">Your new token “{{name}}”</h2>
          <p>Copy it now: it is shown only this once.</p>
          <label for="secret">Token</label>
          <input id="secret" type="text" value="{{secret}}" readonly>
        </section>
        {{/created}}
        <p>Personal tokens act as you, with at most your rights ({{grant}}), for the <code>clutch</code> CLI and scripts. They end when you are removed or your role is lowered.</p>
        <div class="scroll">
        <table class="tokens">
          <thead><tr><th scope="col">Name</th><th scope="col">Narrowed to</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col"></th></tr></thead>
          <tbody>
          {{#tokens}}<tr>
            <td>{{name}}</td>
            <td>{{narrowed}}</td>
            <td><time datetime="{{when}}">{{created}}</time></td>
            <td>{{expires}}</td>
            <td>{{state}}</td>
            <td>{{#active}}<form method="post" action="/ui/tokens/{{id}}/revoke">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <button type="submit" aria-label="Revoke {{name}}">Revoke</button>
            </form>{{/active}}</td>
          </tr>{{/tokens}}
          </tbody>
        </table>
        </div>
        {{^tokens}}<p>You have no tokens yet.</p>{{/tokens}}
        <h2>New token</h2>
        <form method="post" action="/ui/tokens" class="card narrow">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="name">Name</label>
          <input id="name" name="name" type="text" maxlength="128" required placeholder="laptop">
          <label for="days">Expires after (days, empty: never)</label>
          <input id="days" name="days" type="number" min="1" max="3650" inputmode="numeric">
          <button type="submit" class="primary">Create token</button>
        </form>
        {{> foot}}
        """#
}
