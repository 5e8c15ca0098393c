import Hummingbird

/// The web console (`/ui`): server-rendered HTML pages for people, beside the JSON API.
/// They are not part of `docs/openapi.json`, which describes the API only.
enum ConsoleRoutes {
    /// Adds `/` (to the flags, or to sign-in when signed out), `/ui` and its pages.
    static func add(to router: Router<ClutchRequestContext>, services: ServerServices, pages: ConsolePages) {
        let sessions = ConsoleSessions(
            store: services.store, credentials: services.credentialLookup, idleTimeout: services.configuration.consoleIdleTimeout,
            clock: services.clock)
        // `/ui/flags` sends a signed-out browser on to the sign-in page itself.
        router.get("/") { _, _ in ConsolePages.redirect("/ui/flags") }
        router.get("ui") { _, _ in ConsolePages.redirect("/ui/flags") }
        let group = router.group("ui")
            .add(middleware: ConsoleErrorMiddleware(pages: pages))
            .add(middleware: ConsoleGuard(sessions: sessions, pages: pages, publicURL: services.configuration.publicURL))
        group.get("static/console.css") { _, _ in asset(StaticAssets.css, type: "text/css; charset=utf-8") }
        group.get("static/console.js") { _, _ in asset(StaticAssets.js, type: "text/javascript; charset=utf-8") }
        ConsoleAuthController(
            services: services, sessions: sessions, pages: pages, throttle: SignInThrottle(),
            singleSignOn: services.configuration.oidc.map { .init(provider: $0.displayName, path: ConsoleOIDCController.startPath) })
            .add(to: group)
        ConsoleFlagsController(services: services, pages: pages).add(to: group)
        ConsoleActionsController(services: services, pages: pages).add(to: group)
        ConsoleTargetingController(services: services, pages: pages).add(to: group)
        ConsoleHistoryController(services: services, pages: pages).add(to: group)
        ConsoleCohortsController(services: services, pages: pages).add(to: group)
        ConsoleAuditController(services: services, pages: pages).add(to: group)
        ConsoleKeysController(services: services, pages: pages).add(to: group)
        ConsoleEventsController(services: services).add(to: group)
        ConsoleTokensController(services: services, pages: pages).add(to: group)
        ConsoleOIDCController(services: services, sessions: sessions, pages: pages).add(to: group)
        ConsoleFlagFormController(services: services, pages: pages).add(to: group)
        ConsoleSchedulesController(services: services, pages: pages).add(to: group)
        ConsoleRequestsController(services: services, pages: pages).add(to: group)
        ConsoleBlocksController(services: services, pages: pages).add(to: group)
    }

    private static func asset(_ text: String, type: String) -> Response {
        var headers = ConsolePages.securityHeaders
        headers[.contentType] = type
        // Small and compiled in: revalidating costs little, and a new build takes effect at once.
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Console failures as HTML pages (the API's error middleware answers JSON): the status the API
/// would give, with its message.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = ClutchRequestContext
    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = ErrorMapping.apiError(for: error, logger: context.logger)
            let heading: String
            switch apiError.status.code {
            case 404: heading = "Not found"
            case 401: heading = "Sign in first"
            case 400..<500: heading = "Not changed"
            default: heading = "Something went wrong"
            }
            return pages.error(status: apiError.status, heading: heading, message: apiError.message)
        }
    }
}
