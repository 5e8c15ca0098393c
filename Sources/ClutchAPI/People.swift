import Foundation

/// What a person or token may do, from least to most (README "Roles"). The order is the
/// policy's: a role may everything the roles below it may.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Reads everything.
    case viewer
    /// A viewer who may also turn flags off, kill them and pause or abort releases: on call.
    case responder
    /// A responder who may also create and change flags, cohorts, schedules and releases (in
    /// the environments of its grant).
    case editor
    /// Everything, people, tokens, SDK keys, webhooks and environments included.
    case owner

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .responder: 1
        case .editor: 2
        case .owner: 3
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }

    /// "a viewer", "an editor": how a refusal names it.
    public var withArticle: String {
        switch self {
        case .viewer, .responder: "a \(rawValue)"
        case .editor, .owner: "an \(rawValue)"
        }
    }
}

/// A role, in some environments: `environments` empty means in all of them. Outside its
/// environments a grant is at most a responder (an editor of staging may still turn a flag off in
/// production), as the README's role table says.
public struct AccessGrant: Sendable, Hashable, Codable {
    public var role: Role
    /// The environments the role holds in, sorted; empty: every environment.
    public var environments: [String]

    public init(role: Role, environments: [String] = []) {
        self.role = role
        self.environments = Array(Set(environments)).sorted()
    }

    /// The role this grant gives in `environment`; `nil` asks about every environment at once
    /// (a flag-wide change), which only a grant without environments holds in full.
    public func role(in environment: String?) -> Role {
        if environments.isEmpty { return role }
        if let environment, environments.contains(environment) { return role }
        return min(role, .responder)
    }

    /// Whether this grant gives at least what `other` gives, in every environment: when it does
    /// not, a change from `other` to this one lowers someone's rights (their tokens and sessions end).
    public func covers(_ other: AccessGrant) -> Bool {
        // One environment neither grant names stands for every other environment.
        let probes: [String?] = [nil, "\u{0}other"] + (environments + other.environments).map { $0 }
        return probes.allSatisfy { role(in: $0) >= other.role(in: $0) }
    }
}

/// A person who may use Clutch (`/api/v1/users`). Their email is unique regardless of case.
public struct Person: Sendable, Hashable, Codable {
    /// `u_` + random hex.
    public var id: String
    public var email: String
    public var name: String?
    public var role: Role
    /// Where `role` holds (empty: everywhere); elsewhere an editor is a responder.
    public var environments: [String]
    /// Whether the person has set a password (accepted their invite).
    public var hasPassword: Bool
    public var createdAt: Date

    public init(id: String, email: String, name: String?, role: Role, environments: [String], hasPassword: Bool, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.environments = environments
        self.hasPassword = hasPassword
        self.createdAt = createdAt
    }

    /// The person's rights.
    public var grant: AccessGrant { AccessGrant(role: role, environments: environments) }

    enum CodingKeys: String, CodingKey { case id, email, name, role, environments, hasPassword, createdAt }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(email, forKey: .email)
        try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role)
        try c.encode(environments, forKey: .environments)
        try c.encode(hasPassword, forKey: .hasPassword)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// Whose a token is: a person's (it acts as them, with at most their rights) or nobody's (a
/// service token for CI and bots, with the role it was given).
public enum TokenKind: String, Sendable, Hashable, Codable, CaseIterable {
    case personal
    case service

    /// The prefix of the kind's secrets, so that a leaked one says what it is.
    public var secretPrefix: String {
        switch self {
        case .personal: "clutch_pat_"
        case .service: "clutch_svc_"
        }
    }
}

/// A token's public part (the secret is shown once and stored only as its SHA-256).
public struct TokenRecord: Sendable, Hashable, Codable {
    /// `t_` + random hex.
    public var id: String
    public var name: String
    public var kind: TokenKind
    /// The email of the person a personal token belongs to.
    public var person: String?
    /// A service token's role, or the role a personal token is narrowed to (`nil`: its person's).
    public var role: Role?
    /// The environments a token is narrowed to (empty: not narrowed).
    public var environments: [String]
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(
        id: String, name: String, kind: TokenKind, person: String?, role: Role?, environments: [String], createdAt: Date,
        expiresAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.person = person
        self.role = role
        self.environments = environments
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// How revisions and the audit log name what this token did: `ci (service token)`,
    /// `laptop (token of alice@example.com)`.
    public var actor: String {
        switch kind {
        case .service: "\(name) (service token)"
        case .personal: "\(name) (token of \(person ?? "nobody"))"
        }
    }

    enum CodingKeys: String, CodingKey { case id, name, kind, person, role, environments, createdAt, expiresAt, revokedAt }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(person, forKey: .person)
        try c.encode(role, forKey: .role)
        try c.encode(environments, forKey: .environments)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(revokedAt, forKey: .revokedAt)
    }
}

/// `GET /api/v1/me`: who the credential is, and what it may.
public struct Me: Sendable, Hashable, Codable {
    /// How revisions name this caller (`alice@example.com`, `ci (service token)`, …).
    public var actor: String
    /// The person (for a personal token or a console session), if any.
    public var person: Person?
    /// The token presented, if a token was.
    public var token: TokenRecord?
    /// What the caller may: every grant holds at once (a narrowed token: its own and its person's).
    public var grants: [AccessGrant]

    public init(actor: String, person: Person?, token: TokenRecord?, grants: [AccessGrant]) {
        self.actor = actor
        self.person = person
        self.token = token
        self.grants = grants
    }

    enum CodingKeys: String, CodingKey { case actor, person, token, grants }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(actor, forKey: .actor)
        try c.encode(person, forKey: .person)
        try c.encode(token, forKey: .token)
        try c.encode(grants, forKey: .grants)
    }
}

/// `POST /api/v1/users`: a person to invite.
public struct PersonCreate: Sendable, Hashable, Codable {
    public var email: String
    public var name: String?
    public var role: Role
    /// Where `role` holds (absent or empty: everywhere).
    public var environments: [String]?

    public init(email: String, name: String? = nil, role: Role, environments: [String]? = nil) {
        self.email = email
        self.name = name
        self.role = role
        self.environments = environments
    }

    public enum CodingKeys: String, CodingKey { case email, name, role, environments }
}

/// `POST /api/v1/users`: the person and their one-time invite link (single use, valid 7 days).
public struct PersonCreated: Sendable, Hashable, Codable {
    public var person: Person
    /// `<public URL>/ui/invite/<secret>`: shown here only.
    public var inviteUrl: String

    public init(person: Person, inviteUrl: String) {
        self.person = person
        self.inviteUrl = inviteUrl
    }
}

/// `GET /api/v1/users`.
public struct PersonList: Sendable, Hashable, Codable {
    public var users: [Person]
    public init(users: [Person]) { self.users = users }
}

/// `PUT /api/v1/users/{email}/role`: a person's new role.
public struct RoleChange: Sendable, Hashable, Codable {
    public var role: Role
    /// Where `role` holds (absent or empty: everywhere).
    public var environments: [String]?

    public init(role: Role, environments: [String]? = nil) {
        self.role = role
        self.environments = environments
    }

    public enum CodingKeys: String, CodingKey { case role, environments }
}

/// `POST /api/v1/tokens`: a personal token of the caller's person, or (`service`) a service token.
public struct TokenCreate: Sendable, Hashable, Codable {
    public var name: String
    /// A service token (owners only); otherwise a personal token of the caller.
    public var service: Bool?
    /// A service token's role (required for one), or the role a personal token is narrowed to.
    public var role: Role?
    /// The environments the token is narrowed to.
    public var environments: [String]?
    /// Days until the token stops working (absent: it does not expire).
    public var expiresInDays: Int?

    public init(name: String, service: Bool? = nil, role: Role? = nil, environments: [String]? = nil, expiresInDays: Int? = nil) {
        self.name = name
        self.service = service
        self.role = role
        self.environments = environments
        self.expiresInDays = expiresInDays
    }

    public enum CodingKeys: String, CodingKey { case name, service, role, environments, expiresInDays }
}

/// `POST /api/v1/tokens`: the new token, the only time its secret is shown.
public struct TokenCreated: Sendable, Hashable, Codable {
    /// The secret.
    public var token: String
    public var record: TokenRecord

    public init(token: String, record: TokenRecord) {
        self.token = token
        self.record = record
    }
}

/// `GET /api/v1/tokens`.
public struct TokenList: Sendable, Hashable, Codable {
    public var tokens: [TokenRecord]
    public init(tokens: [TokenRecord]) { self.tokens = tokens }
}
