import Hummingbird

/// Answers `POST /ofrep/v1/evaluate/flags/{key}` ahead of the router and hands every other
/// request to it.
///
/// Why: single-flag evaluation is the hottest route (issue #3 wants it at 0.8× the throughput of
/// `/healthz` or better). Through the router it pays for the trie walk (the OFREP group comes after
/// every admin route) and three middleware layers, each an async call with its own copy of the
/// context; profiles put that near the cost of the evaluation itself. This path runs the same
/// steps in one function: the credential check of ``CredentialMiddleware``, the error answers of
/// ``ErrorMapping`` and the request metric under the router's pattern label. Anything it does not
/// recognise exactly (other methods, extra slashes, non-ASCII keys) goes to the router, which
/// answers it as before.
struct OFREPSingleFlagResponder<Router: HTTPResponder>: HTTPResponder where Router.Context == ClutchRequestContext {
    typealias Context = ClutchRequestContext

    let router: Router
    let controller: OFREPController
    let credentials: CredentialLookup
    let metrics: ServerMetrics

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .post, let key = OFREPSingleFlagPath.flagKey(inPath: request.uri.path) else {
            return try await router.respond(to: request, context: context)
        }
        let start = ContinuousClock.now
        let response: Response
        do {
            let principal = try await CredentialMiddleware.authenticate(request, credentials: credentials, requirement: .sdk)
            // `authenticate` refuses admin tokens for `.sdk`; the `else` only keeps this total.
            guard case .sdk(let keyID, let environment, let kind) = principal else { throw APIError.unauthorized("SDK key required") }
            response = controller.evaluate(
                key: key, keyID: keyID, environment: environment, kind: kind, body: try await request.collectBodyBuffer())
        } catch {
            response = OFREPErrors.response(for: error, logger: context.logger)
        }
        metrics.recordRequest(
            route: OFREPSingleFlagPath.route, method: "POST", status: response.status.code,
            nanoseconds: (ContinuousClock.now - start).nanoseconds)
        return response
    }
}

/// The single-flag route's path: its metric label and how the fast path recognises it.
enum OFREPSingleFlagPath {
    /// The route's pattern as the router names it, so the metric series are the same either way.
    static let route = "/ofrep/v1/evaluate/flags/{key}"
    private static let prefix: StaticString = "/ofrep/v1/evaluate/flags/"

    /// The `{key}` of `/ofrep/v1/evaluate/flags/{key}`, when the path is exactly that with a key
    /// of printable ASCII other than `/`; such paths the router resolves to the same key.
    static func flagKey(inPath path: String) -> String? {
        let utf8 = path.utf8
        let matches = prefix.withUTF8Buffer { utf8.starts(with: $0) }
        guard matches else { return nil }
        let keyBytes = utf8.dropFirst(prefix.utf8CodeUnitCount)
        guard !keyBytes.isEmpty,
            keyBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") })
        else { return nil }
        return String(Substring(keyBytes))
    }
}
