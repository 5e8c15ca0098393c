import Clutch
import Hummingbird

/// The routes: `/checkout` for everyone, `/admin` for admins only.
struct CheckoutRoutes: Sendable {
    let flags: ClutchClient

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("checkout") { request, _ in checkout(request) }
        router.get("admin") { request, _ in admin(request) }
        return router
    }

    /// Picks the code path per request: customers the flag selects get the new checkout.
    func checkout(_ request: Request) -> Response {
        let shopper = Shopper(request)
        let details = flags.boolDetails("new-checkout", default: false, context: shopper.context)
        let body = details.value
            ? NewCheckout.render(for: shopper)
            : LegacyCheckout.render(for: shopper)
        return Self.page(title: "Checkout", body)
    }

    /// An admin-only page: who gets which checkout, and why.
    func admin(_ request: Request) -> Response {
        let shopper = Shopper(request)
        guard shopper.context.hasRole("admin") else {
            return Self.page(status: .forbidden, title: "Forbidden", "<p>Admins only.</p>")
        }
        var rows = ""
        for customer in ["acme", "globex", "initech", "umbrella"] {
            let context = EvaluationContext(targetingKey: "\(customer)-user", customerId: customer)
            let details = flags.boolDetails("new-checkout", default: false, context: context)
            rows += "<tr><td>\(customer)</td><td>\(details.value ? "new" : "old")</td>"
                + "<td>\(details.reason)\(details.errorCode.map { " (\($0))" } ?? "")</td></tr>"
        }
        return Self.page(title: "Checkout rollout", """
            <p>Flag client status: \(flags.status)</p>
            <table><tr><th>customer</th><th>checkout</th><th>reason</th></tr>\(rows)</table>
            """)
    }

    static func page(status: HTTPResponse.Status = .ok, title: String, _ body: String) -> Response {
        let html = "<!doctype html><html><head><title>\(title)</title></head><body><h1>\(title)</h1>\(body)</body></html>"
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// Who is asking. A real service takes this from its session or token; the example reads
/// `X-User-Id`, `X-Customer-Id` and `X-Role` headers (or `user`, `customer`, `role` query items).
struct Shopper: Sendable {
    var user: String
    var customer: String?
    var roles: [String]

    init(_ request: Request) {
        let query = request.uri.queryParameters
        user = Self.header(request, "X-User-Id") ?? query.get("user") ?? "anonymous"
        customer = Self.header(request, "X-Customer-Id") ?? query.get("customer")
        let roleText = Self.header(request, "X-Role") ?? query.get("role") ?? ""
        roles = roleText.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }
    }

    var context: EvaluationContext {
        EvaluationContext(targetingKey: user, customerId: customer, roles: roles)
    }

    private static func header(_ request: Request, _ name: String) -> String? {
        let lowercased = name.lowercased()
        return request.headers.first { $0.name.canonicalName == lowercased }?.value
    }
}

/// The new code path.
enum NewCheckout {
    static func render(for shopper: Shopper) -> String {
        "<p>New one-page checkout for \(escape(shopper.customer ?? "guest")).</p>"
    }
}

/// The old code path, kept until the flag is fully rolled out and removed.
enum LegacyCheckout {
    static func render(for shopper: Shopper) -> String {
        "<p>Classic three-step checkout for \(escape(shopper.customer ?? "guest")).</p>"
    }
}

/// Minimal HTML escaping for values echoed from the request.
func escape(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}
