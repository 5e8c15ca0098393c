import ClutchCore
import Foundation

/// The attribute names each environment's evaluation contexts have carried. Recording them is no
/// change to a flag (no revision, no snapshot version, no audit event) and does not wait for the
/// write lock: the server writes what it saw in batches (`AttributeRecorder`), never per request.
extension SQLStore {
    /// Records `seen` (environment → names seen there), stamped with the store's time: a name
    /// already stored gets a new last-seen time, a new one is added while its environment holds
    /// fewer than ``SeenAttributeLimits/maxPerEnvironment`` (beyond that it is dropped). Names that
    /// are not valid attribute paths, and environments that do not exist, are ignored.
    public func recordSeenAttributes(_ seen: [String: [SeenAttributeName]]) async throws {
        let seen = seen.mapValues { Array(Set($0.filter { SeenAttributeName.isValid($0.name) })) }.filter { !$0.value.isEmpty }
        guard !seen.isEmpty else { return }
        try await unlocked { session in
            let environments = Set(try await Rows.environmentKeys(session))
            for (environment, names) in seen where environments.contains(environment) {
                try await Rows.recordSeenAttributes(session, environment: environment, names: names, at: session.now)
            }
        }
    }

    /// The names seen in `environment`'s contexts, sorted by name; `notFound` for an unknown environment.
    public func seenAttributes(environment: String) async throws -> SeenAttributeList {
        try await read { session in
            try await Rows.requireEnvironment(session, environment)
            return SeenAttributeList(environment: environment, attributes: try await Rows.seenAttributes(session, environment: environment))
        }
    }
}
