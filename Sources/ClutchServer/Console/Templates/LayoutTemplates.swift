// The page frame shared by every console page. Every template starts with the CLUTCH_HTML
// pragma (see `ConsoleHTML`): swift-mustache starts each partial with its own HTML escaping, so
// the pragma is repeated in partials too. Values are only ever written with `{{name}}` (escaped),
// never `{{{name}}}`; a test checks both rules for every template.
enum LayoutTemplates {
    static let head = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}<!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Clutch</title>
        {{#refresh}}<meta http-equiv="refresh" content="0; url={{refresh}}">{{/refresh}}
        <link rel="stylesheet" href="/ui/static/console.css">
        <script src="/ui/static/console.js" defer></script>
        </head>
        <body>
        <header class="top">
          <a class="brand" href="/ui/flags">Clutch</a>
          {{#session}}
          <nav class="sections" aria-label="Sections"><a href="/ui/flags">Flags</a> <a href="/ui/requests">Requests</a> <a href="/ui/cohorts">Cohorts</a> <a href="/ui/audit">Audit log</a> <a href="/ui/keys">SDK keys</a>{{#person}} <a href="/ui/tokens">Your tokens</a>{{/person}}</nav>
          <form method="post" action="/ui/logout" class="signout">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <span class="who">Signed in as {{name}}</span>
            <button type="submit">Sign out</button>
          </form>
          {{/session}}
        </header>
        <main id="main">
        {{#notice}}<p class="notice" role="status">{{.}}</p>{{/notice}}
        {{#problem}}<p class="problem" role="alert">{{.}}</p>{{/problem}}

        """#

    static let foot = #"""
        {{% CONTENT_TYPE: CLUTCH_HTML }}</main>
        </body>
        </html>

        """#
}
