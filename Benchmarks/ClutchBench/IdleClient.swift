import Clutch
import Foundation
import Logging

/// `clutch-bench idle-client URL KEY stream|none`: a client process for the idle CPU
/// benchmark. It evaluates one flag once a second, as the cli-app example does; with
/// `stream` it syncs (the live stream open), with `none` it never starts syncing.
/// It prints `ready` once it holds flags (or at once with `none`), then `change KEYS` for
/// every change the stream brings, and runs until it is terminated.
enum IdleClient {
    static func run(_ arguments: [String]) async -> Int32 {
        guard arguments.count == 3, let url = URL(string: arguments[0]), ["stream", "none"].contains(arguments[2]) else {
            FileHandle.standardError.write(Data("usage: clutch-bench idle-client URL SDK_KEY stream|none\n".utf8))
            return 2
        }
        let syncing = arguments[2] == "stream"
        var logger = Logger(label: "clutch.bench.idle-client")
        logger.logLevel = .warning
        let client = ClutchClient(
            configuration: ClutchConfiguration(serverURL: url, sdkKey: arguments[1], cacheDirectory: nil, logger: logger),
            start: syncing ? .immediately : .onRun)
        if syncing {
            do {
                try await client.waitUntilReady(timeout: .seconds(30))
            } catch {
                FileHandle.standardError.write(Data("not ready: \(error)\n".utf8))
                return 1
            }
            let changes = client.changes
            Task {
                for await keys in changes { say("change \(keys.sorted().joined(separator: ","))") }
            }
        }
        say("ready")
        let context = EvaluationContext(targetingKey: "idle", customerId: "acme")
        while true {
            _ = client.bool("idle", default: false, context: context)
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// One line on stdout, flushed at once: the benchmark reads it through a pipe.
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
