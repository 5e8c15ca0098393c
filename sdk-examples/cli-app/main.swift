// Evaluates one flag for a fixed set of users every second and prints what it sees.
// Run it beside `make run`; `clutch kill`, `clutch rollout` or `clutch rules add` change
// what it prints within a second. See README.md.
import Clutch
import Foundation
import Logging

let environment = ProcessInfo.processInfo.environment
let serverText = environment["CLUTCH_URL"] ?? "http://127.0.0.1:8080"
let flagKey = environment["CLUTCH_FLAG"] ?? "new-checkout"

guard let serverURL = URL(string: serverText), serverURL.scheme != nil else {
    FileHandle.standardError.write(Data("error: CLUTCH_URL is not a URL: \(serverText)\n".utf8))
    exit(2)
}
guard let sdkKey = environment["CLUTCH_SDK_KEY"], !sdkKey.isEmpty else {
    FileHandle.standardError.write(Data("error: set CLUTCH_SDK_KEY (create one with: clutch keys create --env production --name cli-app)\n".utf8))
    exit(2)
}

/// The users this app pretends to serve: a targeting key, a customer and roles.
let users: [EvaluationContext] = [
    EvaluationContext(targetingKey: "alice", customerId: "acme", roles: ["admin"]),
    EvaluationContext(targetingKey: "bob", customerId: "acme"),
    EvaluationContext(targetingKey: "carol", customerId: "globex"),
    EvaluationContext(targetingKey: "dave", customerId: "initech"),
    EvaluationContext(targetingKey: "erin", customerId: "initech", roles: ["admin"]),
    EvaluationContext(targetingKey: "frank", customerId: "umbrella"),
]

var logger = Logger(label: "clutch.example.cli")
logger.logLevel = environment["CLUTCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning

// The last good snapshot is kept on disk so that a restart without the server still serves flags.
let cacheDirectory = environment["CLUTCH_CACHE_DIR"].map { URL(fileURLWithPath: $0, isDirectory: true) }
    ?? ClutchConfiguration.defaultCacheDirectory
/// Prints one line and flushes it: piped into `tee` or a log collector, each line shows at once
/// (stdout is block-buffered when it is not a terminal).
func say(_ line: String) {
    print(line)
    fflush(nil)  // every output stream; `stdout` itself is a global Swift 6 will not touch
}

let client = ClutchClient(configuration: ClutchConfiguration(
    serverURL: serverURL, sdkKey: sdkKey, cacheDirectory: cacheDirectory, logger: logger))
do {
    try await client.waitUntilReady(timeout: .seconds(5))
} catch {
    // Keep going: evaluations serve the defaults until the server is reached.
    say("not ready yet (\(error)); serving defaults until the server answers")
}

let iterations = environment["CLUTCH_ITERATIONS"].flatMap(Int.init)  // unset: run until interrupted
let clock = Date.FormatStyle.dateTime.hour(.twoDigits(amPM: .omitted)).minute(.twoDigits).second(.twoDigits)
var round = 0
while iterations.map({ round < $0 }) ?? true {
    let seen = users.map { user -> String in
        let details = client.boolDetails(flagKey, default: false, context: user)
        return "\(user.targetingKey ?? "?")=\(details.value ? "on " : "off")"
    }
    let reason = client.boolDetails(flagKey, default: false, context: users[0]).errorCode.map { " [\($0)]" } ?? ""
    say("\(Date().formatted(clock)) \(flagKey) [\(client.status)] \(seen.joined(separator: " "))\(reason)")
    round += 1
    if iterations.map({ round >= $0 }) ?? false { break }
    try? await Task.sleep(for: .seconds(1))
}
await client.close()
