import ClutchCore
import Foundation

/// The rules for people, invites, passwords and tokens, written once for both databases.
public enum PeopleRules {
    /// How long an invite link works.
    public static let inviteLifetime: TimeInterval = 7 * 24 * 3600
    /// The shortest password accepted (in characters).
    public static let minimumPasswordLength = 12
    /// The longest password accepted, so that nobody makes the KDF hash megabytes.
    public static let maximumPasswordLength = 1024
    /// The longest a token may be made to last.
    public static let maximumTokenDays = 3650

    /// The form emails are compared in: without surrounding spaces, in lower case.
    public static func emailKey(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The email as it will be stored, or a refusal naming the field: `name@domain`, no spaces
    /// or control characters, at most 254 characters.
    static func checkedEmail(_ email: String) throws -> String {
        let email = email.trimmingCharacters(in: .whitespaces)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            email.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else {
            throw StoreError.badRequest("'\(email)' is not an email address such as alice@example.com", field: "email")
        }
        return email
    }

    /// A name (of a person or a token): 1–100 characters without control characters.
    static func checkedName(_ name: String, field: String) throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StoreError.badRequest("a \(field) is 1 to 100 characters without control characters", field: field)
        }
        return name
    }

    /// What a change that sets a flag's owner to `owner` (it was `old`) writes, or why it may not:
    /// a new owner must name a member, in any case (`member` gives the stored email of the member
    /// with an ``emailKey(_:)``), and is written as that member's email. An unchanged owner stays
    /// as it is, so that a removed person stays named on the flags they owned (history is not
    /// rewritten, and those flags can still be edited); a malformed one is ``OwnerRule``'s to refuse.
    static func owner(_ owner: String?, old: String?, member: (String) -> String?) -> (owner: String?, problem: String?) {
        guard let owner, owner != old, OwnerRule.problem(owner) == nil else { return (owner, nil) }
        if let email = member(emailKey(owner)) { return (email, nil) }
        return (owner, "'\(owner)' is not a member: an owner is a person who can sign in (add them with `clutch users add`), or leave the owner out")
    }

    /// Refuses a password shorter than 12 characters or longer than 1024.
    public static func checkPassword(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw StoreError.badRequest("a password needs at least \(minimumPasswordLength) characters", field: "password")
        }
        guard password.utf8.count <= maximumPasswordLength else {
            throw StoreError.badRequest("a password has at most \(maximumPasswordLength) bytes", field: "password")
        }
    }

    /// The expiry of a token made at `now` to last `days` (none when `nil`).
    static func expiry(days: Int?, from now: Date) throws -> Date? {
        guard let days else { return nil }
        guard (1...maximumTokenDays).contains(days) else {
            throw StoreError.badRequest("a token lasts 1 to \(maximumTokenDays) days", field: "expiresInDays")
        }
        return now.addingTimeInterval(TimeInterval(days) * 24 * 3600)
    }
}
