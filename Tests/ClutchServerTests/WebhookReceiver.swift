import ClutchCore
import Foundation
import ProcessTestSupport
import ServerTestSupport
import TestSupport

/// A real local HTTP receiver (Tests/ClutchServerTests/webhook_receiver.py) that checks each
/// delivery with the verification function docs/webhooks.md documents and logs what it got.
final class WebhookReceiver: Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("webhook_receiver.py").path

    /// One request as the receiver saw it.
    struct Received: Decodable, Sendable {
        var at: Double
        var signature: String
        var body: String
        var verified: Bool
        var status: Int

        var event: Value? { try? JSONDecoder().decode(Value.self, from: Data(body.utf8)) }
    }

    let port: Int
    let logURL: URL
    private let process: Subprocess

    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Starts a receiver; `failFirst` requests get 500; each answer comes `delay` seconds after
    /// the request arrived. `port` reuses a port (0 picks one).
    init(secret: String, failFirst: Int = 0, delay: Double = 0, port: Int = 0, log: URL? = nil) async throws {
        logURL = log ?? FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString).jsonl")
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let outputPath = logURL.path + ".out"
        process = try Subprocess(
            [
                "/usr/bin/env", "python3", Self.script, "serve", "--secret", secret, "--log", logURL.path, "--port", String(port),
                "--fail-first", String(failFirst), "--delay", String(delay),
            ], output: .file(outputPath))
        self.port = try await announcedPort(of: process, outputPath: outputPath, what: "the webhook receiver")
    }

    /// Every request so far.
    var received: [Received] {
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
    }

    /// The requests that were answered 2xx, whose event has `type`.
    func delivered(_ type: String) -> [Received] {
        received.filter { $0.status < 300 && $0.event?.at("type")?.stringValue == type }
    }

    /// Ends the receiver (SIGKILL: it keeps nothing that needs a clean exit).
    func stop() {
        process.forceStop()
    }

    deinit { stop() }

    /// Whether the documented Python check accepts `body` with `header` at `now` (default: the clock).
    static func verify(header: String, body: String, secret: String, now: Double? = nil) throws -> Bool {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-body-\(UUID().uuidString)")
        try Data(body.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var arguments = ["/usr/bin/env", "python3", script, "verify", "--secret", secret, "--header", header, "--body-file", file.path]
        if let now { arguments += ["--now", String(now)] }
        return try Subprocess(arguments).waitBlocking() == .exited(0)
    }
}
