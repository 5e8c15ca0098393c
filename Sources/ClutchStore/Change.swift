import ClutchCore

/// Who made a change and why; recorded in the revision and the audit event.
public struct ChangeInfo: Sendable, Hashable {
    /// The admin token's name (or `system` for changes the server makes itself).
    public var actor: String
    /// The optional `X-Clutch-Message`.
    public var message: String?

    public init(actor: String, message: String? = nil) {
        self.actor = actor
        self.message = message
    }
}

/// The result of a write: the value plus each environment whose snapshot changed, with its new
/// snapshot version (bumped in the same transaction). Empty `versions` means nothing changed.
public struct Change<Value: Sendable>: Sendable {
    public var value: Value
    /// Environment key → its snapshot version after the change.
    public var versions: [String: Int64]
    /// What the change touched, so that the server updates its engines and streams with
    /// what changed instead of re-reading whole environments.
    public var touched: Touched

    public init(value: Value, versions: [String: Int64], touched: Touched = Touched()) {
        self.value = value
        self.versions = versions
        self.touched = touched
    }

    /// The same change with another value.
    func with<T>(_ value: T) -> Change<T> {
        Change<T>(value: value, versions: versions, touched: touched)
    }
}

/// The flags and cohorts a committed change touched.
public struct Touched: Sendable, Hashable {
    /// Environment key → its snapshot version before the change.
    public var previousVersions: [String: Int64] = [:]
    /// Environment key → flags whose view changed there.
    public var flags: [String: Set<String>] = [:]
    /// Environment key → cohorts changed there (definition or members; read whole).
    public var cohorts: [String: Set<String>] = [:]
    /// Environment key → cohort key → the members a change added and removed, for cohorts whose
    /// definition it left alone: the change itself, so nobody re-reads a large cohort.
    public var members: [String: [String: MemberChange]] = [:]

    public init(
        previousVersions: [String: Int64] = [:], flags: [String: Set<String>] = [:], cohorts: [String: Set<String>] = [:],
        members: [String: [String: MemberChange]] = [:]
    ) {
        self.previousVersions = previousVersions
        self.flags = flags
        self.cohorts = cohorts
        self.members = members
    }

    /// Adds what a later change in the same transaction touched.
    mutating func merge(_ other: Touched) {
        previousVersions.merge(other.previousVersions) { min($0, $1) }
        flags.merge(other.flags) { $0.union($1) }
        cohorts.merge(other.cohorts) { $0.union($1) }
        // Two membership changes of one cohort in one transaction: read the cohort whole.
        for (environment, changes) in other.members {
            for (key, change) in changes {
                if members[environment]?[key] != nil {
                    members[environment]?[key] = nil
                    cohorts[environment, default: []].insert(key)
                } else {
                    members[environment, default: [:]][key] = change
                }
            }
        }
    }
}
