import Foundation

/// One page of audit events, newest first, and where the next page starts.
public struct AuditPage: Sendable, Hashable {
    public var events: [AuditEvent]
    /// The id to pass as `before` for the next (older) page; `nil` on the last page.
    public var nextBefore: Int64?
}

/// One page of a cohort's explicit members, in byte order, and where the next page starts.
public struct MemberPage: Sendable, Hashable {
    public var members: [String]
    /// The member to pass as `after` for the next page; `nil` on the last page.
    public var nextAfter: String?
    /// How many members the cohort has in all.
    public var total: Int
}
