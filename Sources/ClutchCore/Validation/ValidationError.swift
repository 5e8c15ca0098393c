/// One problem in a definition: the path of the field (for example
/// `environments.production.rules[2].serve.rollout`) and what is wrong with it.
public struct ValidationIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A definition was refused. `issues` lists every problem found, first one first.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [ValidationIssue]

    public init(_ issues: [ValidationIssue]) { self.issues = issues }
    public init(path: String, _ message: String) { self.issues = [ValidationIssue(path: path, message: message)] }

    /// The path of the first problem.
    public var path: String { issues.first?.path ?? "" }
    public var description: String { issues.map(\.description).joined(separator: "; ") }
}

/// The rule for flag, variant, cohort and environment keys.
public enum KeyRule {
    /// Whether `key` is 1–128 characters of lowercase letters, digits, `-`, `_` and `.`, and
    /// not `.` or `..`, which a URL path would resolve away (the key could not be addressed).
    public static func isValid(_ key: String) -> Bool {
        let utf8 = key.utf8
        guard (1...128).contains(utf8.count), key != ".", key != ".." else { return false }
        return utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95 || c == 46
        }
    }

    /// The message for an invalid `key` of a `kind` ("flag", "variant", …).
    public static func message(_ kind: String, _ key: String) -> String {
        "\(kind) key '\(key)' is invalid: use 1–128 characters of lowercase letters, digits, '-', '_' or '.' (not '.' or '..' alone)"
    }
}

/// Rule ids: 1–64 of `a-z A-Z 0-9 - _`, unique within one flag state.
public enum RuleID {
    public static func isValid(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 95
        }
    }

    static func message(_ id: String) -> String {
        "rule id '\(id)' is invalid: use 1–64 letters, digits, '-' or '_'"
    }

    /// A new random id: `r` and 10 characters of base 36 (about 52 bits).
    public static func random() -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return "r" + String((0..<10).map { _ in alphabet[Int(generator.next() % 36)] })
    }
}

extension Flag {
    /// This flag with an id for every rule that has none: the id of an identical rule of the
    /// same state in `previous` when there is one not yet taken (a client that writes a whole
    /// state back without ids keeps them), else a new random one.
    public func assigningRuleIDs(keeping previous: Flag?) -> Flag {
        var flag = self
        for (environment, state) in environments {
            guard state.rules.contains(where: { $0.id == nil }) else { continue }
            var taken = Set(state.rules.compactMap(\.id))
            let old = previous?.environments[environment]?.rules ?? []
            var rules = state.rules
            for i in rules.indices where rules[i].id == nil {
                let same = old.first { candidate in
                    guard let id = candidate.id, !taken.contains(id) else { return false }
                    return candidate.clauses == rules[i].clauses && candidate.serve == rules[i].serve
                        && candidate.description == rules[i].description
                }
                var id = same?.id ?? RuleID.random()
                while taken.contains(id) { id = RuleID.random() }
                taken.insert(id)
                rules[i].id = id
            }
            flag.environments[environment]?.rules = rules
        }
        return flag
    }
}
