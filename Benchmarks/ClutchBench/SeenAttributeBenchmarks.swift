import ClutchCore
import ClutchServer
import ClutchStore
import Foundation
import Logging

/// What recording the attribute names of OFREP contexts costs the evaluation path (issue 27):
/// per request, the context is built from its JSON object (as `OFREPController` does) and one
/// flag evaluated, with the server's ``AttributeRecorder`` off and on. The recorder here never
/// writes during the run (its interval is an hour), so the figure is the hot path's own cost
/// in the steady state: every name already collected, looked up again under the lock.
/// - `ofrep_eval_recording_off`, `ofrep_eval_recording_on`: nanoseconds per request.
/// - `ofrep_eval_recording_ratio`: on / off (the HTTP request around it costs far more, so the
///   ratio of whole requests is closer to 1).
enum SeenAttributeBenchmarks {
    static let contextCount = 20_000
    static let rounds = 21

    /// The `i`th OFREP context, as an app sends it: a targeting key and a handful of
    /// attributes, one of them an object.
    static func body(_ i: Int) -> [String: Value] {
        var body: [String: Value] = [:]
        body["targetingKey"] = .string("user-\(i)")
        body["customerId"] = .string("customer-\(i % 600)")
        body["role"] = .string(i % 20 == 0 ? "admin" : "member")
        body["plan"] = .string("pro")
        body["seats"] = .integer(Int64(i % 50))
        body["beta"] = .bool(i % 3 == 0)
        body["device"] = .object(["os": .string("iOS"), "version": .string("17.2")])
        return body
    }

    static func run() async {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-bench-attributes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let logger = Logger(label: "clutch.bench")
            let store = try FlagStore(path: directory.appendingPathComponent("clutch.db").path, logger: logger)
            defer { try? store.close() }
            let on = AttributeRecorder(store: store, interval: .seconds(3600), logger: logger)
            let off = AttributeRecorder(store: store, interval: .seconds(3600), enabled: false, logger: logger)
            let engine = Engine(EngineBenchmarks.snapshot())
            // OFREP bodies as an app sends them: a targeting key and a handful of attributes, one nested.
            let bodies: [[String: Value]] = (0..<contextCount).map(body)
            func evaluate(_ recorder: AttributeRecorder) -> Int {
                var served = 0
                for body in bodies {
                    guard let context = try? EvaluationContext(json: body) else { continue }
                    recorder.record(environment: "production", context: context)
                    if engine.evaluate("rules", context: context).variant == "on" { served += 1 }
                }
                return served
            }
            let figures = Bench.interleaved(rounds: rounds, count: contextCount, [{ evaluate(off) }, { evaluate(on) }])
            Bench.report("ofrep_eval_recording_off", figures[0], "ns")
            Bench.report("ofrep_eval_recording_on", figures[1], "ns")
            print("ofrep_eval_recording_ratio: \(String(format: "%.3f", figures[1] / figures[0])) ratio")
        } catch {
            print("ofrep_eval_recording: failed (\(error))")
        }
    }
}
