import ClutchCore
import Foundation

/// A real local HTTP receiver (Tests/ClutchServerTests/webhook_receiver.py) that checks each
/// delivery with the verification function docs/webhooks.md documents and logs what it got.
final class WebhookReceiver: @unchecked Sendable {
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
    private let process: Process

    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Starts a receiver; `failFirst` requests get 500; each answer comes `delay` seconds after
    /// the request arrived. `port` reuses a port (0 picks one).
    init(secret: String, failFirst: Int = 0, delay: Double = 0, port: Int = 0, log: URL? = nil) async throws {
        logURL = log ?? FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString).jsonl")
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.script, "serve", "--secret", secret, "--log", logURL.path, "--port", String(port),
            "--fail-first", String(failFirst), "--delay", String(delay),
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let line = await Task.detached { () -> String in
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            return String(decoding: data, as: UTF8.self)
        }.value
        guard line.hasPrefix("PORT "), let parsed = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TestFailure("the webhook receiver did not start: \(line)")
        }
        self.port = parsed
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

    /// Ends the receiver. SIGKILL: a child started from a test thread may inherit a signal mask
    /// that blocks SIGTERM, and the receiver keeps nothing that needs a clean exit.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// Whether the documented Python check accepts `body` with `header` at `now` (default: the clock).
    static func verify(header: String, body: String, secret: String, now: Double? = nil) throws -> Bool {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-body-\(UUID().uuidString)")
        try Data(body.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", script, "verify", "--secret", secret, "--header", header, "--body-file", file.path]
        if let now { arguments += ["--now", String(now)] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
