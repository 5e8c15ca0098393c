// A small web service that serves /checkout from the new or the old code path depending on
// the `new-checkout` flag for the request's customer, with an admin-only page. See README.md.
import Clutch
import Foundation
import Hummingbird
import Logging

let environment = ProcessInfo.processInfo.environment
let serverText = environment["CLUTCH_URL"] ?? "http://127.0.0.1:8080"
guard let serverURL = URL(string: serverText), serverURL.scheme != nil else {
    FileHandle.standardError.write(Data("error: CLUTCH_URL is not a URL: \(serverText)\n".utf8))
    exit(2)
}
guard let sdkKey = environment["CLUTCH_SDK_KEY"], !sdkKey.isEmpty else {
    FileHandle.standardError.write(Data("error: set CLUTCH_SDK_KEY (create one with: clutch keys create --env production --name checkout)\n".utf8))
    exit(2)
}
let portText = environment["PORT"] ?? "8081"
guard let port = Int(portText), (0...65535).contains(port) else {
    FileHandle.standardError.write(Data("error: PORT is not a port number: \(portText)\n".utf8))
    exit(2)
}

var logger = Logger(label: "clutch.example.checkout")
logger.logLevel = environment["CLUTCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

// One client for the whole process; evaluations are synchronous and never wait on the network.
// It is a service of the application's ServiceGroup: it syncs while the app runs, and on
// SIGINT or SIGTERM it sends its last usage counts and closes its connections.
let flags = ClutchClient(
    configuration: ClutchConfiguration(serverURL: serverURL, sdkKey: sdkKey, logger: logger),
    start: .onRun)
let application = Application(
    router: CheckoutRoutes(flags: flags).router(),
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    services: [flags],
    logger: logger)
try await application.runService()  // until SIGINT or SIGTERM
