import Hummingbird
import Logging
import ServiceLifecycle

/// Runs the server until SIGTERM/SIGINT. `onReady` receives the bound port (useful with port 0).
///
/// The first start creates the database and an admin token, prints the token once and writes
/// it to the CLI configuration file (`configuration.cliConfigPath`, mode 0600).
public func runClutchServer(
    _ configuration: ServerConfiguration, logger: Logger, onReady: (@Sendable (Int) async -> Void)? = nil
) async throws {
    let application = try await ClutchApplication(configuration: configuration, logger: logger)
    defer { try? application.close() }
    let app = application.makeApplication(onReady: onReady)
    var groupConfiguration = ServiceGroupConfiguration(
        services: [app as any Service] + application.backgroundServices, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    // Streams end themselves on shutdown; this bounds anything else (a stuck client, a slow
    // request) so SIGTERM always stops the process within 5 s.
    groupConfiguration.maximumGracefulShutdownDuration = ClutchApplication.maximumGracefulShutdown
    let group = ServiceGroup(configuration: groupConfiguration)
    try await group.run()
    // Evaluation counts the server made itself (OFREP) and has not written yet.
    await application.flushUsage()
    logger.info("stopped")
}
