import Hummingbird
import Logging

/// Runs the server until SIGTERM/SIGINT. `onReady` receives the bound port (useful with port 0).
public func runClutchServer(
    _ configuration: ServerConfiguration, logger: Logger, onReady: (@Sendable (Int) async -> Void)? = nil
) async throws {
    // Placeholder until the store lands: serves /healthz only.
    let router = Router()
    router.get("healthz") { _, _ in "{\"status\":\"ok\"}" }
    let app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        onServerRunning: { channel in await onReady?(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    try await app.runService()
}
