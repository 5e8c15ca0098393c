// The sign-in page, the invite page and the plain error page.
enum LoginTemplates {
    static let login = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>Sign in</h1>
        <form method="post" action="/ui/login" class="card narrow">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" value="{{email}}" required autofocus>
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required>
          <button type="submit" class="primary">Sign in</button>
        </form>
        {{#singleSignOn}}
        <p class="card narrow" id="single-sign-on"><a class="button" href="{{path}}">Sign in with {{provider}}</a></p>
        {{/singleSignOn}}
        <h2>With a token</h2>
        <form method="post" action="/ui/login" class="card narrow">
          <label for="token">Token</label>
          <input id="token" name="token" type="password" autocomplete="off" required>
          <button type="submit">Sign in with the token</button>
        </form>
        <p class="hint">For service tokens (<code>clutch_svc_…</code>, such as the one the first <code>clutch serve</code> printed) and personal tokens (<code>clutch_pat_…</code>). SDK keys cannot sign in.</p>
        {{> foot}}
        """#

    static let invite = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}{{> head}}
        <h1>Set your password</h1>
        {{#email}}<p>For <strong>{{.}}</strong>. At least {{minimum}} characters; a passphrase of a few words is easiest to remember.</p>{{/email}}
        <form method="post" action="{{action}}" class="card narrow">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="new-password" minlength="{{minimum}}" required autofocus>
          <label for="repeat">Repeat password</label>
          <input id="repeat" name="repeat" type="password" autocomplete="new-password" minlength="{{minimum}}" required>
          <button type="submit" class="primary">Set password</button>
        </form>
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
