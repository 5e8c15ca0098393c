import Foundation

/// The bootstrap token's public part (the secret is shown once and stored only as its SHA-256):
/// a service token with role owner.
public struct AdminTokenRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date

    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// An active credential as the server caches it: the SHA-256 hex of the secret and what it grants.
public struct CredentialRecord: Sendable, Hashable {
    /// What a credential grants.
    public enum Kind: Sendable, Hashable {
        /// The admin API, as the token's actor with the token's grants.
        case token(TokenAccess)
        /// Reading the environment `environment`: its definition (SDK sync) for a server key,
        /// answers for one context at a time (OFREP, the client stream) for a client key; usage
        /// reports either way.
        case sdk(id: String, environment: String, keyKind: SDKKeyKind)
    }

    /// Lowercase SHA-256 hex of the secret.
    public var hash: String
    public var kind: Kind

    public init(hash: String, kind: Kind) {
        self.hash = hash
        self.kind = kind
    }
}

/// What an active token may, as read with its person: the token, the person it acts as (for a
/// personal token) and every grant that limits it (the person's, and the token's narrowing).
public struct TokenAccess: Sendable, Hashable {
    public var token: TokenRecord
    /// The person of a personal token.
    public var person: PersonAccess?
    /// The grants that hold at once: a service token's own; a personal token's person's, and
    /// its narrowing when it has one.
    public var grants: [AccessGrant]

    public init(token: TokenRecord, person: PersonAccess?, grants: [AccessGrant]) {
        self.token = token
        self.person = person
        self.grants = grants
    }

    /// How the policy sees it.
    public var subject: AccessSubject { AccessSubject(name: token.actor, grants: grants) }
}

/// A person as the server's credential cache holds them: their rights and their credential
/// generation, which grows when their rights drop or they are removed, ending what was opened before.
public struct PersonAccess: Sendable, Hashable {
    public var id: String
    public var email: String
    public var name: String?
    public var grant: AccessGrant
    public var generation: Int64

    public init(id: String, email: String, name: String?, grant: AccessGrant, generation: Int64) {
        self.id = id
        self.email = email
        self.name = name
        self.grant = grant
        self.generation = generation
    }

    /// How the policy sees the person acting themselves (a console session): named by email.
    public var subject: AccessSubject { AccessSubject(name: email, grants: [grant]) }
}

/// Everything the server's credential cache holds, read in one transaction: the active tokens
/// and SDK keys by hash, and the people who are not removed.
public struct ActiveCredentials: Sendable, Hashable {
    public var records: [CredentialRecord]
    public var people: [PersonAccess]

    public init(records: [CredentialRecord], people: [PersonAccess]) {
        self.records = records
        self.people = people
    }
}
