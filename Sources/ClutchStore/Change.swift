import ClutchCore

/// Who made a change and why; recorded in the revision and the audit event.
public struct ChangeInfo: Sendable, Hashable {
    /// Who did it, as it is written in revisions and the audit log (`alice@example.com`,
    /// `ci (service token)`, `laptop (token of alice@example.com)`; `system` for changes the
    /// server makes itself): text as it was then, so it survives the person's removal.
    public var actor: String
    /// The optional `X-Clutch-Message`.
    public var message: String?
    /// The credential that asked, for work that acts later with its rights (a scheduled change
    /// is checked against the policy with them when it applies); `nil` for the server itself.
    public var author: ChangeAuthor?
    /// What already cleared the change for governance (``Rows/checkGovernance``): nothing for a
    /// direct change.
    public var clearance: Clearance

    public init(actor: String, message: String? = nil, author: ChangeAuthor? = nil, clearance: Clearance = .none) {
        self.actor = actor
        self.message = message
        self.author = author
        self.clearance = clearance
    }
}

/// Why a change that widens exposure (``ExposureChange/widens``) may skip the review a protected
/// environment requires. Nothing lets a widening change through a block.
public enum Clearance: Sendable, Hashable {
    /// A direct change: in a protected environment it may only take exposure away.
    case none
    /// A step of a running release: the release's start was the change reviewed.
    case release
    /// The apply of change request `id`, approved against the diff it applies.
    case changeRequest(id: Int64)
    /// A change that undoes a release — the guard's rollback, an abort — taking away what the
    /// release gave: it passes a block too (the guard still rolls back a blocked release).
    case undoesRelease
}

/// The credential behind a change, stored with work that applies later (`person:<id>`,
/// `token:<id>`), so that it is judged with the rights its author has then, not when it was asked.
public enum ChangeAuthor: Sendable, Hashable {
    case person(id: String)
    case token(id: String)

    /// The stored form.
    public var text: String {
        switch self {
        case .person(let id): "person:\(id)"
        case .token(let id): "token:\(id)"
        }
    }

    public init?(text: String) {
        if text.hasPrefix("person:") { self = .person(id: String(text.dropFirst(7))) }
        else if text.hasPrefix("token:") { self = .token(id: String(text.dropFirst(6))) }
        else { return nil }
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
    /// Environment key → what the change wrote there, as the write transaction saw it: the
    /// server publishes it without reading the store again (``delta(for:version:)``). Absent
    /// for an environment whose writer did not say (then the server reads what was touched).
    public var written: [String: SnapshotDelta] = [:]

    public init(
        previousVersions: [String: Int64] = [:], flags: [String: Set<String>] = [:], cohorts: [String: Set<String>] = [:],
        members: [String: [String: MemberChange]] = [:]
    ) {
        self.previousVersions = previousVersions
        self.flags = flags
        self.cohorts = cohorts
        self.members = members
    }

    /// The change's delta of `environment` when it takes it to `version` and holds everything
    /// the change touched there: every flag, every cohort and the membership changes; `nil`
    /// otherwise.
    public func delta(for environment: String, version: Int64) -> SnapshotDelta? {
        guard var delta = written[environment], delta.version == version else { return nil }
        guard (flags[environment] ?? []).isSubset(of: delta.flags.keys),
              (cohorts[environment] ?? []).isSubset(of: delta.cohorts.keys)
        else { return nil }
        delta.members = (members[environment] ?? [:]).filter { delta.cohorts[$0.key] == nil }
        return delta
    }

    /// Adds what a later change in the same transaction touched.
    mutating func merge(_ other: Touched) {
        previousVersions.merge(other.previousVersions) { min($0, $1) }
        flags.merge(other.flags) { $0.union($1) }
        cohorts.merge(other.cohorts) { $0.union($1) }
        for (environment, later) in other.written {
            guard var delta = written[environment] else {
                // Only a change without an earlier one there can stand for both.
                if other.previousVersions[environment] == previousVersions[environment] { written[environment] = later }
                continue
            }
            delta.version = max(delta.version, later.version)
            delta.flags.merge(later.flags) { $1 }
            delta.cohorts.merge(later.cohorts) { $1 }
            written[environment] = delta
        }
        // An environment the other change touched without saying what it wrote: read it.
        for environment in Set(other.flags.keys).union(other.cohorts.keys).union(other.members.keys)
        where other.written[environment] == nil {
            written[environment] = nil
        }
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
