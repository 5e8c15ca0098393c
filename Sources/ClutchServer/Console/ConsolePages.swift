import ClutchStore
import Hummingbird
import Mustache

/// The console's templates, parsed once, and the HTML responses made from them.
struct ConsolePages: Sendable {
    /// Every template by name; partials (`head`, `foot`) are looked up here too.
    static let templates: [String: String] = [
        "head": LayoutTemplates.head,
        "foot": LayoutTemplates.foot,
        "login": LoginTemplates.login,
        "invite": LoginTemplates.invite,
        "error": LoginTemplates.error,
        "flags": FlagListTemplate.page,
        "flagResults": FlagListTemplate.results,
        "flag": FlagPageTemplate.page,
        "changeFields": FlagPageTemplate.changeFields,
        "serveField": FlagPageTemplate.serveField,
        "usageCard": FlagPageTemplate.usageCard,
        "history": HistoryTemplate.page,
        "cohorts": CohortTemplates.list,
        "cohort": CohortTemplates.cohort,
        "audit": AuditTemplate.page,
        "tokens": TokenTemplates.page,
        "keys": KeysTemplate.page,
        "flagForm": FlagFormTemplate.page,
        "requests": RequestTemplates.page,
        "requestCard": RequestTemplates.card,
    ]

    let library: MustacheLibrary

    /// Parses every template; a template that does not parse is a programming error caught by
    /// the console's tests, reported here as a thrown error rather than a crash.
    init() throws {
        _ = ConsoleHTML.registered
        var library = MustacheLibrary()
        for (name, text) in Self.templates {
            try library.register(text, named: name)
        }
        self.library = library
    }

    /// The page `name` rendered with `values`, as an HTML response with the console's headers.
    func render(_ name: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let html = library.render(values, withTemplate: name) ?? ""
        var fields = ConsolePages.securityHeaders
        fields[.contentType] = "text/html; charset=utf-8"
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A short page saying what went wrong, with a link onwards.
    func error(status: HTTPResponse.Status, heading: String, message: String, back: String = "/ui/flags", backText: String = "Back to the flags", session: [String: Any]? = nil) -> Response {
        var values: [String: Any] = ["title": heading, "heading": heading, "message": message, "back": back, "backText": backText]
        if let session { values["session"] = session }
        return render("error", values, status: status)
    }

    /// A 403 page with the policy's sentence when `session` may not do `action` (its page had no
    /// control for it, but the form was sent anyway); `nil` when it may. The one question every
    /// console change asks before it writes.
    func forbidden(_ action: AccessAction, _ session: ConsoleSession, back: String, backText: String) -> Response? {
        guard let refusal = AccessPolicy.refusal(action, by: session.subject) else { return nil }
        return error(
            status: .forbidden, heading: "Not allowed", message: refusal.message + ". Nothing was changed.", back: back,
            backText: backText, session: session.templateValues)
    }

    /// A `303 See Other` to `location` (after a form post, so reloading does not post again).
    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var fields = securityHeaders
        fields[.location] = location
        fields.append(contentsOf: headers)
        return Response(status: .seeOther, headers: fields)
    }

    /// Headers on every console answer: no caching of signed-in pages, no framing (clickjacking),
    /// scripts, styles and the live stream (`connect-src`) from this server only (no inline script can run even if some markup
    /// slipped through), no referrer leaving the server.
    static let securityHeaders: HTTPFields = [
        .cacheControl: "no-store",
        HeaderNames.contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HeaderNames.frameOptions: "DENY",
        HeaderNames.contentTypeOptions: "nosniff",
        HeaderNames.referrerPolicy: "same-origin",
    ]
}
