import Foundation

/// What a store shared by several server replicas tells each of them: that another replica
/// committed a change. A store only one server uses (SQLite) has no feed.
public enum StoreNotification: Sendable, Hashable {
    /// `environment`'s snapshot version is now at least `version`.
    case environment(String, version: Int64)
    /// Credentials changed (a key created or revoked).
    case credentials
    /// The change that took `environment` to `version` changed these flags and cohorts there
    /// (nothing else): sent just before its ``environment(_:version:)``, so that a replica at
    /// the version before reads only those.
    case delta(String, version: Int64, flags: Set<String>, cohorts: Set<String>)

    /// The prefix of a ``delta(_:version:flags:cohorts:)`` payload. Replicas of an earlier
    /// version log it as unknown and go on with the ``environment(_:version:)`` that follows.
    static let deltaPrefix = "delta:"

    /// PostgreSQL limits a notification's payload to 8,000 bytes: a change touching more keys
    /// than fit sends no delta, and the replicas reload the environment.
    static let deltaPayloadLimit = 7_000

    private struct DeltaPayload: Codable {
        var e: String
        var v: Int64
        var f: [String]
        var c: [String]
    }

    /// The payload announcing what a change touched, or `nil` when it touched nothing or does
    /// not fit.
    static func deltaPayload(environment: String, version: Int64, flags: Set<String>, cohorts: Set<String>) -> String? {
        guard !flags.isEmpty || !cohorts.isEmpty else { return nil }
        let payload = DeltaPayload(e: environment, v: version, f: flags.sorted(), c: cohorts.sorted())
        guard let data = try? JSONEncoder().encode(payload), data.count + deltaPrefix.utf8.count <= deltaPayloadLimit else { return nil }
        return deltaPrefix + String(decoding: data, as: UTF8.self)
    }

    /// A ``delta(_:version:flags:cohorts:)`` from its payload, or `nil`.
    static func parseDelta(_ payload: String) -> StoreNotification? {
        guard payload.hasPrefix(deltaPrefix),
              let parsed = try? JSONDecoder().decode(DeltaPayload.self, from: Data(payload.dropFirst(deltaPrefix.count).utf8))
        else { return nil }
        return .delta(parsed.e, version: parsed.v, flags: Set(parsed.f), cohorts: Set(parsed.c))
    }
}

/// A store whose changes other processes make too: the server listens for them and also polls,
/// so that a lost notification delays a change by one poll, never forever.
public protocol StoreChangeFeed: Sendable {
    /// Listens for committed changes until cancelled or until the connection is lost (then it
    /// throws; the caller listens again). `onListening` runs once the listener is registered:
    /// every change committed after that is delivered to `onNotification`, in commit order.
    func listen(
        onListening: @Sendable () async -> Void, onNotification: @Sendable (StoreNotification) async -> Void
    ) async throws
}
