import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs the server until SIGTERM/SIGINT. `onReady` receives the bound port (useful with port 0).
///
/// The first start creates the database and an admin token, prints the token once and writes
/// it to the CLI configuration file (`configuration.cliConfigPath`, mode 0600).
///
/// SIGTERM drains first: for `configuration.effectiveDrainPeriod` `/readyz` answers 503 while
/// every request is still served, so a proxy's health check takes this replica out of rotation
/// before it stops listening (a rolling upgrade then fails no request). SIGINT (Ctrl-C), or a
/// second signal during the drain, stops at once.
public func runClutchServer(
    _ configuration: ServerConfiguration, logger: Logger, onReady: (@Sendable (Int) async -> Void)? = nil
) async throws {
    let application = try await ClutchApplication(configuration: configuration, logger: logger)
    defer { try? application.close() }
    let app = application.makeApplication(onReady: onReady)
    let metricsApp = application.makeMetricsApplication()
    var groupConfiguration = ServiceGroupConfiguration(
        services: [app as any Service] + [metricsApp].compactMap { $0 } + application.backgroundServices,
        gracefulShutdownSignals: [], logger: logger)
    // Streams end themselves on shutdown; this bounds anything else (a stuck client, a slow
    // request): after 4 s the rest is cancelled, and a background service that still has not
    // stopped 2 s later is left behind (BoundedStop), so a shutdown always completes.
    groupConfiguration.maximumGracefulShutdownDuration = ClutchApplication.maximumGracefulShutdown
    let group = ServiceGroup(configuration: groupConfiguration)
    let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
    let drain = configuration.effectiveDrainPeriod
    let watcher = Task {
        var draining: Task<Void, Never>?
        for await signal in signals {
            if signal == .sigterm, draining == nil, drain > .zero {
                application.startDraining()
                logger.notice("draining: /readyz answers 503 until the server stops", metadata: ["seconds": "\(drain)"])
                draining = Task {
                    try? await configuration.clock.sleep(for: drain)
                    logger.info("stopping")
                    await group.triggerGracefulShutdown()
                }
            } else {
                draining?.cancel()
                await group.triggerGracefulShutdown()
            }
        }
    }
    defer { watcher.cancel() }
    try await group.run()
    // Evaluation counts the server made itself (OFREP) and has not written yet.
    await application.flushUsage()
    logger.info("stopped")
}
