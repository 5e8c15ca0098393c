import ClutchCore
import Foundation

/// How an environment guards changes that widen exposure (``ExposureChange/widens``): such a
/// change is not applied directly there but through a change request with `requiredApprovals`
/// approvals. Changes that only take exposure away are never held.
public struct EnvironmentProtection: Sendable, Hashable, Codable {
    /// Approvals a change request needs (at least 1).
    public var requiredApprovals: Int
    /// Whether a request's author may approve it themselves.
    public var allowSelfApproval: Bool

    public init(requiredApprovals: Int, allowSelfApproval: Bool) {
        self.requiredApprovals = requiredApprovals
        self.allowSelfApproval = allowSelfApproval
    }
}

/// `PATCH /api/v1/environments/{env}`: `protection` to protect it, `null` to unprotect it.
public struct EnvironmentUpdate: Sendable, Hashable, Codable {
    public var protection: EnvironmentProtection?

    public init(protection: EnvironmentProtection?) {
        self.protection = protection
    }

    public enum CodingKeys: String, CodingKey { case protection }

    /// `protection` must be there: `null` lifts protection, but a body that forgot the field
    /// (`{}`) is refused rather than read as "lift it".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        protection = try container.decode(EnvironmentProtection?.self, forKey: .protection)
    }

    /// Writes `"protection": null` to lift it, never leaves the field out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(protection, forKey: .protection)
    }
}

/// A change to one flag's state, or to one cohort's members, in one protected environment,
/// waiting for review: pinned to the diff its reviewers approve (`diff`, computed against
/// `baseRevision`). A cohort request names `cohort` and carries `memberInstructions`; its
/// `flag` is empty and its `instructions` `[]`, and its diff is `members.added` / `members.removed`.
public struct ChangeRequestRecord: Sendable, Hashable, Codable {
    /// Where a request is in its life: `open` → `approved` → `applied`, or `declined`,
    /// `cancelled`, `failed` (with `reason`).
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case open, approved, applied, declined, cancelled, failed
    }

    public var id: Int64
    public var flag: String
    public var environment: String
    public var instructions: [Instruction]
    public var message: String?
    /// When an approved request applies by itself (the scheduler), if it does.
    public var at: Date?
    public var status: Status
    /// Why it failed or needs review again.
    public var reason: String?
    /// The flag's revision the diff was computed against.
    public var baseRevision: Int64
    /// What the instructions change, as reviewed.
    public var diff: [FieldChange]
    public var createdAt: Date
    public var createdBy: String
    public var updatedAt: Date
    /// The revision the apply made.
    public var appliedRevision: Int64?
    /// Approvals that count now (one per reviewer) and how many the environment requires.
    public var approvals: Int
    public var requiredApprovals: Int
    /// Every review, oldest first (those withdrawn by an edit included, marked).
    public var reviews: [ChangeRequestReview]
    /// In the answer to opening or editing a request: attributes its change would start to use
    /// that no context of the environment has carried (``AttributeWarnings``). Absent otherwise.
    public var warnings: [AttributeWarning]?
    /// The cohort a cohort request changes (absent for a flag's).
    public var cohort: String?
    /// What a cohort request does to the members (absent for a flag's).
    public var memberInstructions: [MemberInstruction]?

    public init(
        id: Int64, flag: String, environment: String, instructions: [Instruction], message: String?, at: Date?, status: Status,
        reason: String?, baseRevision: Int64, diff: [FieldChange], createdAt: Date, createdBy: String, updatedAt: Date,
        appliedRevision: Int64?, approvals: Int, requiredApprovals: Int, reviews: [ChangeRequestReview],
        cohort: String? = nil, memberInstructions: [MemberInstruction]? = nil
    ) {
        self.cohort = cohort
        self.memberInstructions = memberInstructions
        self.id = id
        self.flag = flag
        self.environment = environment
        self.instructions = instructions
        self.message = message
        self.at = at
        self.status = status
        self.reason = reason
        self.baseRevision = baseRevision
        self.diff = diff
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.appliedRevision = appliedRevision
        self.approvals = approvals
        self.requiredApprovals = requiredApprovals
        self.reviews = reviews
    }

    /// What it changes: `flag 'new-checkout'` or `cohort 'beta'`.
    public var subject: String {
        cohort.map { "cohort '\($0)'" } ?? "flag '\(flag)'"
    }
}

/// What a reviewer says of a change request.
public enum ReviewVerdict: String, Sendable, Hashable, Codable, CaseIterable {
    case approve, decline, comment
}

/// One review of a change request.
public struct ChangeRequestReview: Sendable, Hashable, Codable {
    /// The reviewer as revisions name them.
    public var reviewer: String
    public var verdict: ReviewVerdict
    public var comment: String?
    public var at: Date
    /// An edit of the request withdrew it (it no longer counts).
    public var withdrawn: Bool

    public init(reviewer: String, verdict: ReviewVerdict, comment: String?, at: Date, withdrawn: Bool) {
        self.reviewer = reviewer
        self.verdict = verdict
        self.comment = comment
        self.at = at
        self.withdrawn = withdrawn
    }
}

/// `POST /api/v1/change-requests`: `{flag, environment, instructions, message?, at?}`, or for a
/// cohort's members `{cohort, environment, memberInstructions, message?, at?}`.
public struct ChangeRequestCreate: Sendable, Hashable, Codable {
    /// Empty for a cohort request.
    public var flag: String
    public var environment: String
    /// `[]` for a cohort request.
    public var instructions: [Instruction]
    public var message: String?
    public var at: Date?
    public var cohort: String?
    public var memberInstructions: [MemberInstruction]?

    public init(flag: String, environment: String, instructions: [Instruction], message: String? = nil, at: Date? = nil) {
        self.flag = flag
        self.environment = environment
        self.instructions = instructions
        self.message = message
        self.at = at
    }

    /// A request to change `cohort`'s members in `environment`.
    public init(cohort: String, environment: String, memberInstructions: [MemberInstruction], message: String? = nil, at: Date? = nil) {
        self.init(flag: "", environment: environment, instructions: [], message: message, at: at)
        self.cohort = cohort
        self.memberInstructions = memberInstructions
    }

    public enum CodingKeys: String, CodingKey { case flag, environment, instructions, message, at, cohort, memberInstructions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        flag = try c.decodeIfPresent(String.self, forKey: .flag) ?? ""
        environment = try c.decode(String.self, forKey: .environment)
        instructions = try c.decodeIfPresent([Instruction].self, forKey: .instructions) ?? []
        message = try c.decodeIfPresent(String.self, forKey: .message)
        at = try c.decodeIfPresent(Date.self, forKey: .at)
        cohort = try c.decodeIfPresent(String.self, forKey: .cohort)
        memberInstructions = try c.decodeIfPresent([MemberInstruction].self, forKey: .memberInstructions)
    }

    /// A flag's request without the cohort's fields, a cohort's without the flag's.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let cohort {
            try c.encode(cohort, forKey: .cohort)
            try c.encode(memberInstructions ?? [], forKey: .memberInstructions)
        } else {
            try c.encode(flag, forKey: .flag)
            try c.encode(instructions, forKey: .instructions)
        }
        try c.encode(environment, forKey: .environment)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(at, forKey: .at)
    }
}

/// `PATCH /api/v1/change-requests/{id}`: new instructions (withdraws every review):
/// `instructions` for a flag's request, `memberInstructions` for a cohort's.
public struct ChangeRequestEdit: Sendable, Hashable, Codable {
    public var instructions: [Instruction]
    public var message: String?
    public var memberInstructions: [MemberInstruction]?

    public init(instructions: [Instruction], message: String? = nil) {
        self.instructions = instructions
        self.message = message
    }

    public init(memberInstructions: [MemberInstruction], message: String? = nil) {
        self.instructions = []
        self.message = message
        self.memberInstructions = memberInstructions
    }

    public enum CodingKeys: String, CodingKey { case instructions, message, memberInstructions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        instructions = try c.decodeIfPresent([Instruction].self, forKey: .instructions) ?? []
        message = try c.decodeIfPresent(String.self, forKey: .message)
        memberInstructions = try c.decodeIfPresent([MemberInstruction].self, forKey: .memberInstructions)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let memberInstructions {
            try c.encode(memberInstructions, forKey: .memberInstructions)
        } else {
            try c.encode(instructions, forKey: .instructions)
        }
        try c.encodeIfPresent(message, forKey: .message)
    }
}

/// `POST /api/v1/change-requests/{id}/reviews`.
public struct ChangeRequestReviewCreate: Sendable, Hashable, Codable {
    public var verdict: ReviewVerdict
    public var comment: String?

    public init(verdict: ReviewVerdict, comment: String? = nil) {
        self.verdict = verdict
        self.comment = comment
    }

    public enum CodingKeys: String, CodingKey { case verdict, comment }
}

/// `GET /api/v1/change-requests`.
public struct ChangeRequestList: Sendable, Hashable, Codable {
    public var requests: [ChangeRequestRecord]
    public init(requests: [ChangeRequestRecord]) { self.requests = requests }
}
