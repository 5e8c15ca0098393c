// An app on a device (a phone, a Mac app, a kiosk) reading its flags with a public client key:
// the server evaluates for the signed-in person and pushes their answers; the app never holds a
// rule, a target or a cohort member. Prints what the person gets, then each change as it
// arrives; `CLUTCH_SWITCH_TO` signs another person in, as an app does after a sign-in.
// See README.md.
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
guard let clientKey = environment["CLUTCH_CLIENT_KEY"], !clientKey.isEmpty else {
    FileHandle.standardError.write(Data("error: set CLUTCH_CLIENT_KEY (create one with: clutch keys create --env production --kind client --name device-app)\n".utf8))
    exit(2)
}

var logger = Logger(label: "clutch.example.device")
logger.logLevel = environment["CLUTCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning

/// Prints one line and flushes it, so that each line shows at once through a pipe.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// The signed-in person: what the server evaluates for (only the server sees the rules).
func person(_ id: String) -> EvaluationContext {
    EvaluationContext(targetingKey: id, customerId: environment["CLUTCH_CUSTOMER"] ?? "acme")
}

// Each person's last answers are kept on disk (a file per server, key and person), so the app
// opened without a network shows what that person last saw, with reason CACHED.
let cacheDirectory = environment["CLUTCH_CACHE_DIR"].map { URL(fileURLWithPath: $0, isDirectory: true) }
    ?? ClutchConfiguration.defaultCacheDirectory
let client = ClutchClient(configuration: ClutchConfiguration(
    serverURL: serverURL, sdkKey: clientKey, mode: .device(person(environment["CLUTCH_USER"] ?? "alice")),
    cacheDirectory: cacheDirectory, logger: logger))

func show(_ who: String) {
    let details = client.boolDetails(flagKey, default: false)
    let outcome = details.errorCode.map { "error \($0)" } ?? details.reason.rawValue
    say("\(who) \(flagKey)=\(details.value ? "on" : "off") (\(outcome)) [\(client.status)]")
}

do {
    try await client.waitUntilReady(timeout: .seconds(5))
} catch {
    // Keep going: evaluations serve the defaults until the server is reached.
    say("not ready yet (\(error)); serving defaults until the server answers")
}
var who = environment["CLUTCH_USER"] ?? "alice"
show(who)

if let next = environment["CLUTCH_SWITCH_TO"], !next.isEmpty {
    // A sign-in: the answers switch to the new person's at once, never mixing the two.
    do {
        try await client.setContext(person(next), timeout: .seconds(5))
    } catch {
        say("no answers for \(next) from the server yet (\(error))")
    }
    who = next
    show(who)
}

// Each change the server pushes names the flags whose answers changed for this person.
let limit = environment["CLUTCH_CHANGES"].flatMap(Int.init)  // unset: run until interrupted
var seen = 0
if limit.map({ $0 > 0 }) ?? true {
    for await changed in client.changes where changed.contains(flagKey) {
        show(who)
        seen += 1
        if limit.map({ seen >= $0 }) ?? false { break }
    }
}
await client.close()
