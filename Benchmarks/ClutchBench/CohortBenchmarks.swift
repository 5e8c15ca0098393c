import Clutch
import ClutchCore
import Foundation
import Logging
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A cohort of 1,000,000 members (`CLUTCH_BENCH_COHORT_MEMBERS` to change it), as
/// `cohort_…` lines: evaluation cost against a 100-member cohort (membership is a hash
/// lookup, so the ratio should stay near 1), memory per member on the server and in the SDK,
/// and what adding members costs at the API and until the SDK serves them.
enum CohortBenchmarks {
    static var members: Int {
        ProcessInfo.processInfo.environment["CLUTCH_BENCH_COHORT_MEMBERS"].flatMap(Int.init) ?? 1_000_000
    }

    static func run() async {
        evaluation()
        do {
            try await service()
        } catch {
            print("cohort_service: failed (\(error))")
        }
    }

    static func member(_ i: Int) -> String { "customer-\(i)" }

    /// A flag `gate` serving `on` to the cohort `big` of `count` members, `off` to everyone else.
    static func snapshot(members count: Int) -> Snapshot {
        Snapshot(
            environment: "production", version: 1,
            flags: [Flag(key: "gate", environments: ["production": FlagState(
                enabled: true, rules: [Rule(clauses: [.inCohort("big")], serve: .variant("on"))], default: .variant("off"))])],
            cohorts: [Cohort(key: "big", members: MemberOrder.sorted((0..<count).map(member)))])
    }

    // MARK: Evaluation

    static func evaluation() {
        let size = members
        let small = Engine(snapshot(members: 100))
        let buildStart = ContinuousClock.now
        let large = Engine(snapshot(members: size))
        let build = Bench.seconds(ContinuousClock.now - buildStart) * 1000
        // Half the contexts are members of the large cohort; for the small one, members are customer-0…99.
        // Spread over the range by a large prime step, the same every run.
        let contexts = (0..<2_000).map { i in
            EvaluationContext(targetingKey: "u\(i)", attributes: ["customerId": .string(member(i &* 7_919_003 % (2 * size)))])
        }
        let smallContexts = (0..<2_000).map { i in
            EvaluationContext(targetingKey: "u\(i)", attributes: ["customerId": .string(member(i &* 7_919 % 200))])
        }
        let figures = Bench.interleaved(rounds: 31, count: contexts.count, [
            { smallContexts.reduce(0) { $0 + (small.evaluate("gate", context: $1).variant == "on" ? 1 : 0) } },
            { contexts.reduce(0) { $0 + (large.evaluate("gate", context: $1).variant == "on" ? 1 : 0) } },
        ])
        Bench.report("cohort_eval_100_members", figures[0], "ns/eval")
        Bench.report("cohort_eval_\(label(size))_members", figures[1], "ns/eval")
        Bench.report("cohort_eval_\(label(size))_vs_100_ratio", figures[1] / figures[0], "x")
        Bench.report("cohort_\(label(size))_engine_build", build, "ms")

        // A change of 10,000 members applied to the engine, against building it again.
        var applies: [Double] = []
        for round in 0..<5 {
            let delta = SnapshotDelta(version: Int64(2 + round), members: ["big": MemberChange(
                added: (0..<10_000).map { "new-\(round)-\($0)" }, removed: (0..<100).map { member($0 * 7 + round) })])
            let start = ContinuousClock.now
            let next = large.applying(delta)
            applies.append(Bench.seconds(ContinuousClock.now - start) * 1000)
            Bench.blackHole(next.evaluate("gate", context: contexts[0]).variant == "on" ? 1 : 0)
        }
        Bench.report("cohort_\(label(size))_engine_apply_10k_members_p50", Bench.percentile(applies, 0.5), "ms")
    }

    // MARK: Server and SDK

    private static var quietLogger: Logger {
        var logger = Logger(label: "clutch.bench")
        logger.logLevel = .critical
        return logger
    }

    static func service() async throws {
        let size = members
        let name = label(size)
        let server = try await BenchServer.start(heartbeatInterval: .seconds(5), logger: quietLogger)
        do {
            try await service(server: server, size: size, name: name)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    private static func service(server: BenchServer, size: Int, name: String) async throws {
        let key = try await server.sdkKey()
        Memory.trim()
        let before = Memory.residentBytes()
        // The cohort, in bodies of 50,000 members (each under the API's body limit).
        let chunk = 50_000
        try await server.admin(
            "POST", "api/v1/environments/production/cohorts",
            #"{"key": "big", "members": [\#(names(0..<min(chunk, size)))]}"#)
        var adds: [Double] = []
        var start = chunk
        while start < size {
            let began = ContinuousClock.now
            try await server.admin(
                "POST", "api/v1/environments/production/cohorts/big/members",
                #"{"add": [\#(names(start..<min(start + chunk, size)))]}"#)
            adds.append(Bench.seconds(ContinuousClock.now - began) * 1000)
            start += chunk
        }
        Bench.report("cohort_\(name)_fill_add_50k_members_p50", Bench.percentile(adds, 0.5), "ms")
        try await server.admin(
            "POST", "api/v1/flags",
            #"{"key": "gate", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"cohort": "big"}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#)
        // The whole document, as a new SDK gets it (built once, then shared).
        let snapshotBytes = try await server.sdk("sdk/v1/flags", key: key).count
        Memory.trim()
        let serverBytes = Memory.residentBytes() - before
        Bench.report("cohort_\(name)_snapshot_bytes", Double(snapshotBytes), "bytes")
        Bench.report("cohort_\(name)_server_bytes_per_member", Double(serverBytes) / Double(size), "bytes")

        // The SDK: download, decode, compile.
        Memory.trim()
        let beforeSDK = Memory.residentBytes()
        let readyStart = ContinuousClock.now
        let client = ClutchClient(configuration: ClutchConfiguration(
            serverURL: server.base, sdkKey: key, cacheDirectory: nil, usageInterval: .zero, logger: quietLogger))
        try await client.waitUntilReady(timeout: .seconds(120))
        let ready = Bench.seconds(ContinuousClock.now - readyStart) * 1000
        Memory.trim()
        let sdkBytes = Memory.residentBytes() - beforeSDK
        Bench.report("cohort_\(name)_sdk_ready", ready, "ms")
        Bench.report("cohort_\(name)_sdk_bytes_per_member", Double(sdkBytes) / Double(size), "bytes")

        // Adding members: at the API, and until the SDK serves the new ones.
        var changes = client.changes.makeAsyncIterator()
        func add(_ members: [String]) async throws -> (api: Double, sdk: Double) {
            let context = EvaluationContext(targetingKey: "u", attributes: ["customerId": .string(members[0])])
            guard !client.bool("gate", default: false, context: context) else { throw TestFailure("already a member") }
            let began = ContinuousClock.now
            let body = #"{"add": [\#(members.map { "\"\($0)\"" }.joined(separator: ","))]}"#
            try await server.admin("POST", "api/v1/environments/production/cohorts/big/members", body)
            let api = Bench.seconds(ContinuousClock.now - began) * 1000
            while !client.bool("gate", default: false, context: context) {
                guard await changes.next() != nil else { throw TestFailure("the change stream ended") }
            }
            return (api, Bench.seconds(ContinuousClock.now - began) * 1000)
        }
        var tenK: [(api: Double, sdk: Double)] = []
        for round in 0..<7 {
            tenK.append(try await add((0..<10_000).map { "batch-\(round)-\($0)" }))
        }
        var one: [(api: Double, sdk: Double)] = []
        for round in 0..<15 {
            one.append(try await add(["single-\(round)"]))
        }
        Bench.report("cohort_\(name)_add_10k_members_api_p50", Bench.percentile(tenK.map(\.api), 0.5), "ms")
        Bench.report("cohort_\(name)_add_10k_members_to_sdk_p50", Bench.percentile(tenK.map(\.sdk), 0.5), "ms")
        Bench.report("cohort_\(name)_add_10k_members_to_sdk_p99", Bench.percentile(tenK.map(\.sdk), 0.99), "ms")
        Bench.report("cohort_\(name)_add_1_member_api_p50", Bench.percentile(one.map(\.api), 0.5), "ms")
        Bench.report("cohort_\(name)_add_1_member_to_sdk_p50", Bench.percentile(one.map(\.sdk), 0.5), "ms")
        Bench.report("cohort_\(name)_add_1_member_to_sdk_p99", Bench.percentile(one.map(\.sdk), 0.99), "ms")
        // The next whole document encodes the changed cohort once (a new SDK's first request).
        let documentStart = ContinuousClock.now
        _ = try await server.sdk("sdk/v1/flags", key: key)
        Bench.report("cohort_\(name)_snapshot_after_change", Bench.seconds(ContinuousClock.now - documentStart) * 1000, "ms")
        await client.close()
    }

    private static func names(_ range: Range<Int>) -> String {
        range.map { "\"\(member($0))\"" }.joined(separator: ",")
    }

    private static func label(_ size: Int) -> String {
        size % 1_000_000 == 0 ? "\(size / 1_000_000)m" : size % 1_000 == 0 ? "\(size / 1_000)k" : "\(size)"
    }
}

/// The process's resident memory, after handing freed heap pages back to the system so that
/// what is measured is what is kept, not what a parse left behind.
enum Memory {
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// glibc's `malloc_trim(0)`, found at run time (it is not in the Swift Glibc module).
    static func trim() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }  // nil: RTLD_DEFAULT
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
