import Clutch
import Foundation
import Logging
import Testing

/// Flags used across the SDK tests.
enum Fixtures {
    static let environment = "production"

    /// `new-checkout`: on for the `beta` cohort (acme, globex) and for admins, 25 % of the
    /// rest by targeting key. Plus one flag of every other type and a disabled flag.
    static func snapshot(version: Int64 = 1, checkoutEnabled: Bool = true, banner: String = "hello") -> Snapshot {
        let checkout = Flag(
            key: "new-checkout",
            environments: [
                environment: FlagState(
                    enabled: checkoutEnabled,
                    rules: [
                        Rule(clauses: [.inCohort("beta")], serve: .variant("on")),
                        Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("on")),
                    ],
                    default: .rollout(.percentage(25, of: "on", rest: "off")))
            ])
        let bannerFlag = Flag(
            key: "banner", type: .string,
            variants: [Variant(key: "greeting", value: .string(banner)), Variant(key: "none", value: .string(""))],
            offVariant: "none",
            environments: [environment: FlagState(enabled: true, default: .variant("greeting"))])
        let limit = Flag(
            key: "limit", type: .integer,
            variants: [Variant(key: "high", value: 100), Variant(key: "low", value: 10)], offVariant: "low",
            environments: [environment: FlagState(enabled: true, default: .variant("high"))])
        let ratio = Flag(
            key: "ratio", type: .double,
            variants: [Variant(key: "half", value: 0.5), Variant(key: "none", value: 0.25)], offVariant: "none",
            environments: [environment: FlagState(enabled: true, default: .variant("half"))])
        let config = Flag(
            key: "config", type: .object,
            variants: [Variant(key: "v1", value: ["retries": 3, "mode": "fast"]), Variant(key: "empty", value: [:])],
            offVariant: "empty",
            environments: [environment: FlagState(enabled: true, default: .variant("v1"))])
        let dormant = Flag(key: "dormant", environments: [environment: FlagState(enabled: false)])
        return Snapshot(
            environment: environment, version: version,
            flags: [checkout, bannerFlag, limit, ratio, config, dormant],
            cohorts: [Cohort(key: "beta", members: ["acme", "globex"])])
    }

    /// A server address nothing listens on (the discard port).
    static func unreachableServer() throws -> URL {
        try #require(URL(string: "http://127.0.0.1:9"))
    }

    /// A local-mode configuration for `server` that keeps retrying quickly.
    static func configuration(
        server: URL, sdkKey: String = "clutch_sdk_test", cacheDirectory: URL? = nil, bootstrap: Snapshot? = nil,
        mode: ClutchConfiguration.Mode = .local, usageInterval: Duration = .zero, heartbeatTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "clutch-tests")
    ) -> ClutchConfiguration {
        ClutchConfiguration(
            serverURL: server, sdkKey: sdkKey, mode: mode, cacheDirectory: cacheDirectory, bootstrap: bootstrap,
            pollingInterval: .seconds(1), usageInterval: usageInterval, heartbeatTimeout: heartbeatTimeout,
            reconnectBackoff: Backoff(base: .milliseconds(50), cap: .milliseconds(500)), requestTimeout: .seconds(2),
            logger: logger)
    }
}
