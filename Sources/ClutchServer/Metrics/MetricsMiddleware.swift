import Hummingbird

/// Counts and times every request by its route pattern (never the raw path, which would let
/// clients create unbounded label values).
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ClutchRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            record(request, context, status: 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(
            route: route, method: request.method.rawValue, status: status,
            nanoseconds: (ContinuousClock.now - start).nanoseconds)
    }
}
