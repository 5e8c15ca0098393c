import Foundation

/// What a membership change did: the members it actually added and removed (those already
/// present or absent are left out), and the cohort's size and revision after it. A large
/// cohort's member list is never sent back for a change of a few members.
public struct MembershipResult: Sendable, Hashable, Codable {
    public var cohort: String
    public var environment: String
    /// The cohort's revision after the change (unchanged when nothing changed).
    public var revision: Int64
    /// The number of explicit members after the change.
    public var size: Int
    public var added: [String]
    public var removed: [String]
    public var updatedAt: Date
    public var updatedBy: String

    public init(
        cohort: String, environment: String, revision: Int64, size: Int, added: [String], removed: [String],
        updatedAt: Date, updatedBy: String
    ) {
        self.cohort = cohort
        self.environment = environment
        self.revision = revision
        self.size = size
        self.added = added
        self.removed = removed
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}
