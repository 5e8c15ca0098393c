// The sign-in page and the plain error page.
enum LoginTemplates {
    static let login = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>Sign in</h1>
        <form method="post" action="/ui/login" class="card narrow">
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
          <button type="submit" class="primary">Sign in</button>
        </form>
        {{#oidc}}<p class="card narrow"><a class="button" href="/ui/login/oidc">Sign in with {{provider}}</a></p>{{/oidc}}
        <p class="hint">Use an admin token (<code>clutch_admin_…</code>), as printed by the first <code>clutch serve</code>. SDK keys cannot sign in.</p>
        {{> foot}}
        """#

    static let error = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>{{heading}}</h1>
        <p>{{message}}</p>
        <p><a href="{{back}}">{{backText}}</a></p>
        {{> foot}}
        """#
}
