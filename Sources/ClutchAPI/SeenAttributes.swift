import ClutchCore
import Foundation

/// One attribute name an environment's evaluation contexts have carried (OFREP requests, client
/// streams, SDK usage reports), with the kinds of value seen under it and when.
public struct SeenAttribute: Sendable, Hashable, Codable {
    /// As ``AttributePath`` reads it: `user.plan` for a nested field.
    public var name: String
    /// Sorted as ``AttributeKind`` declares them.
    public var kinds: [AttributeKind]
    public var firstSeen: Date
    public var lastSeen: Date

    public init(name: String, kinds: [AttributeKind], firstSeen: Date, lastSeen: Date) {
        self.name = name
        self.kinds = kinds
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// `GET /api/v1/environments/{env}/attributes`: the names seen, sorted by name.
public struct SeenAttributeList: Sendable, Hashable, Codable {
    public var environment: String
    public var attributes: [SeenAttribute]

    public init(environment: String, attributes: [SeenAttribute]) {
        self.environment = environment
        self.attributes = attributes
    }
}

/// A change names an attribute that no context of the environment has carried: a typo
/// (`customerID` for `customerId`) would otherwise pass silently and match nobody. Returned with
/// the written flag (``FlagRecord/warnings``); the change is made all the same.
public struct AttributeWarning: Sendable, Hashable, Codable {
    /// The attribute as the change names it.
    public var attribute: String
    public var environment: String
    /// The closest seen name (a difference of case, or a few letters), when one is close.
    public var suggestion: String?
    /// What a person reads: "customerID has not been seen in production contexts; seen: customerId, email, plan".
    public var message: String

    public init(attribute: String, environment: String, suggestion: String?, message: String) {
        self.attribute = attribute
        self.environment = environment
        self.suggestion = suggestion
        self.message = message
    }
}

/// The one rule for ``AttributeWarning``s (API, CLI through the API, console).
public enum AttributeWarnings {
    /// Seen names the message lists at most (the suggestion first).
    static let listed = 10

    /// A warning for each attribute of `used` that `seen` (the environment's seen names) does not
    /// hold; none at all while `seen` is empty — an environment whose contexts have not been seen
    /// yet (a fresh install) would warn on every name. A dotted path also counts as seen when a
    /// flat attribute of its whole text was (``AttributePath`` reads either).
    public static func check(used: [String], seen: [String], environment: String) -> [AttributeWarning] {
        guard !seen.isEmpty else { return [] }
        let known = Set(seen)
        return used.compactMap { name in
            if known.contains(name) || known.contains(AttributePath.escaping(name)) { return nil }
            let suggestion = closest(to: name, in: seen)
            var listed = seen.sorted()
            if let suggestion {
                listed.removeAll { $0 == suggestion }
                listed.insert(suggestion, at: 0)
            }
            let more = listed.count > Self.listed ? ", … (\(listed.count - Self.listed) more)" : ""
            let message = "\(name) has not been seen in \(environment) contexts; seen: "
                + listed.prefix(Self.listed).joined(separator: ", ") + more
            return AttributeWarning(attribute: name, environment: environment, suggestion: suggestion, message: message)
        }
    }

    /// The seen name closest to `name`: one that differs only in case, else the one fewest edits
    /// away (at most a third of the name's letters, and at least 2); ties go to the first in order.
    public static func closest(to name: String, in seen: [String]) -> String? {
        let sorted = seen.sorted()
        if let sameLetters = sorted.first(where: { $0.lowercased() == name.lowercased() }) { return sameLetters }
        let limit = max(2, name.count / 3)
        var best: (name: String, distance: Int)?
        let target = Array(name.lowercased())
        for candidate in sorted {
            let distance = editDistance(target, Array(candidate.lowercased()), limit: limit)
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Levenshtein distance between `a` and `b`; anything above `limit` may be reported as `limit + 1`.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

extension AttributeWarnings {
    /// The attribute names a change from `before` to `after` (one environment's state) must be
    /// checked for — the one rule for which names every write path warns about:
    /// - nothing when the state does not change;
    /// - every name the state uses when it is new (a created flag, a state first written) or when
    ///   the change turns it on: the rules it now serves through are activated;
    /// - otherwise the names the change introduces. Turning a flag off introduces nothing, so
    ///   `off` and `kill` never warn; a name already used was warned about when it came in.
    public static func names(before: FlagState?, after: FlagState) -> [String] {
        guard before != after else { return [] }
        guard let before, before.enabled || !after.enabled else { return after.attributesUsed }
        let known = Set(before.attributesUsed)
        return after.attributesUsed.filter { !known.contains($0) }
    }

    /// ``names(before:after:)`` for each environment of `environments` (every environment either
    /// flag has when `nil`), dropping those with nothing to check; `before` is `nil` for a flag
    /// that did not exist (created, or restored after deletion).
    public static func names(before: Flag?, after: Flag, environments: [String]? = nil) -> [(environment: String, attributes: [String])] {
        let all = Set(after.environments.keys).union(before.map { Array($0.environments.keys) } ?? [])
        return (environments.map(Set.init) ?? all).sorted().compactMap { environment in
            let old = before?.environments[environment]
            guard let new = after.environments[environment] else { return nil }
            let names = names(before: old, after: new)
            return names.isEmpty ? nil : (environment, names)
        }
    }
}
