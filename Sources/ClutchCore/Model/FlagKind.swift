/// What a flag is for, which says how long it is meant to live: a release flag dies once its
/// feature is on for everyone, a kill switch stays for as long as the code it guards. The
/// lifecycle (``FlagLifecycle``) reads it to tell a flag past its time from one doing its job.
public enum FlagKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ships unfinished code dark and rolls it out (the default).
    case release
    /// Compares variants for a while (an A/B test).
    case experiment
    /// Turned on and off for a short operation (a migration, a load test).
    case operational
    /// Turns a working feature off in an emergency: permanent.
    case killSwitch = "kill-switch"
    /// Gives some customers a feature (a plan, an entitlement): permanent.
    case permission

    /// Days the flag is expected to live, as Unleash's flag types have them; `nil` for the
    /// permanent kinds, which are never stale by age.
    public var expectedLifeDays: Int? {
        switch self {
        case .release, .experiment: 40
        case .operational: 7
        case .killSwitch, .permission: nil
        }
    }

    /// "a release", "an operational": the kind in a sentence ("an operational flag").
    public var withArticle: String {
        (self == .experiment || self == .operational ? "an " : "a ") + rawValue
    }

    /// Every kind's name, for error messages and help.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The rule for a flag's owner: an email address, who should clean the flag up.
public enum OwnerRule {
    /// The longest address accepted (RFC 5321's path limit).
    public static let maxLength = 254

    /// Why `owner` is not an email address, or `nil` when it is one: one `@` with text on both
    /// sides, a dot in the domain, no spaces or control characters. Deliverability is not
    /// checked; a typo like `alice@exmaple.com` passes.
    public static func problem(_ owner: String) -> String? {
        if owner.isEmpty { return "the owner cannot be empty (leave it out for no owner)" }
        if owner.utf8.count > maxLength { return "the owner must be an email address of at most \(maxLength) bytes" }
        let parts = owner.split(separator: "@", omittingEmptySubsequences: false)
        let clean = !owner.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
        guard clean, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return "the owner must be an email address, got '\(owner)'" }
        return nil
    }
}
