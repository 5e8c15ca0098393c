import Foundation

/// People, invites, passwords and tokens. Part of ``ClutchStoring``.
///
/// Every implementation guarantees:
///
/// - **Secrets are never stored.** Invites and tokens are random and kept as SHA-256 hashes,
///   passwords as scrypt (``PasswordHash``); each secret is returned once, when it is made.
/// - **Rights drop at once.** Lowering a person's rights anywhere, or removing them, revokes
///   their personal tokens and grows their credential generation in the same transaction, and
///   tells the other replicas to reload the credentials when it commits.
/// - **One answer for unknown and wrong.** ``verifyPassword(email:password:)`` answers `nil`
///   for an unknown email and for a wrong password after the same KDF work.
/// - **Audited.** Adding and removing people, role changes, invites, passwords set and tokens
///   made and revoked are audit events (entity `person`, key the email; entity `token`, key its id).
public protocol PeopleStoring: Sendable {
    /// Adds a person with an invite (single use, 7 days); the invite's secret is returned here only.
    func createPerson(_ request: PersonCreate, change: ChangeInfo) async throws -> (Person, inviteSecret: String)
    /// A new invite for a member (earlier ones stop working); its secret is returned here only.
    func createInvite(email: String, change: ChangeInfo) async throws -> String
    /// Every member, oldest first.
    func people() async throws -> [Person]
    /// The member with this email (any case), or `notFound`.
    func person(email: String) async throws -> Person
    /// The member with this id, or `nil` (unknown or removed).
    func person(id: String) async throws -> Person?
    /// Gives a member another role; lowering it ends their personal tokens and sessions.
    func setRole(email: String, to request: RoleChange, change: ChangeInfo) async throws -> Person
    /// Removes a member: their personal tokens, invites and sessions end.
    func removePerson(email: String, change: ChangeInfo) async throws -> Person
    /// The member an unused, unexpired invite is for.
    func invitedPerson(secret: String) async throws -> Person?
    /// Sets a password (at least 12 characters) from an invite, which then stops working.
    func acceptInvite(secret: String, password: String) async throws -> Person
    /// The member with this email and password, or `nil` (the same for an unknown email).
    func verifyPassword(email: String, password: String) async throws -> Person?
    /// Makes a personal token of `personID`, or a service token (`request.service`); the secret is returned here only.
    func createToken(_ request: TokenCreate, personID: String?, change: ChangeInfo) async throws -> (TokenRecord, secret: String)
    /// Tokens, revoked ones included, oldest first: of one person, or all (`nil`).
    func tokens(personID: String?) async throws -> [TokenRecord]
    /// The token `id` and the id of its person, or `notFound`.
    func token(id: String) async throws -> (record: TokenRecord, personID: String?)
    /// Revokes a token; revoking it again changes nothing.
    func revokeToken(id: String, change: ChangeInfo) async throws -> TokenRecord
}
