import Hummingbird

/// `GET /metrics`: Prometheus text. The metrics name every flag key with its evaluation counts,
/// so they are not for anyone who can reach the API: the main listener serves them only with the
/// metrics token (`--metrics-token`), and a listener of their own (`--metrics-address`, loopback
/// unless told otherwise) serves them to whoever reaches it, or with the token when one is set.
struct MetricsController {
    let metrics: ServerMetrics
    /// The digest of the token `/metrics` requires; compared in constant time.
    let token: CredentialCache.Digest?
    /// Whether `/metrics` is served when no token is set (on the metrics listener only).
    let servedWithoutToken: Bool

    init(metrics: ServerMetrics, token: String?, servedWithoutToken: Bool) {
        self.metrics = metrics
        self.token = token.map { secret in
            var secret = secret
            return secret.withUTF8 { CredentialCache.Digest(secretBytes: $0) }
        }
        self.servedWithoutToken = servedWithoutToken
    }

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("metrics") { request, _ in
            if let token {
                guard CredentialMiddleware.presentedDigest(request) == token else {
                    throw APIError.unauthorized("/metrics needs the metrics token: send 'Authorization: Bearer <token>'")
                }
            } else if !servedWithoutToken {
                throw APIError.notFound("/metrics is not served here: see clutch serve --metrics-address and --metrics-token")
            }
            var buffer = ByteBuffer()
            buffer.writeString(metrics.render())
            return JSONResponse.buffer(buffer, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        return routes
    }
}
