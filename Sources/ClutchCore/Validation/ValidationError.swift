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
