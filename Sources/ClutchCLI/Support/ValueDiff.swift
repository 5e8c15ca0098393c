import ClutchCore

/// Field-level differences between two JSON values, with paths like
/// `environments.staging.rules[0].serve`: what `clutch import` shows for updates.
enum ValueDiff {
    struct Change: Sendable, Hashable {
        var path: String
        var before: Value?
        var after: Value?
    }

    static func changes(_ before: Value?, _ after: Value?, path: String = "") -> [Change] {
        if before == after { return [] }
        switch (before, after) {
        case (.object(let a)?, .object(let b)?):
            return Set(a.keys).union(b.keys).sorted().flatMap { key in
                changes(a[key], b[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
        case (.array(let a)?, .array(let b)?) where a.count == b.count:
            return a.indices.flatMap { i in changes(a[i], b[i], path: "\(path)[\(i)]") }
        default:
            return [Change(path: path, before: before, after: after)]
        }
    }

    /// `flag` as a JSON value with every environment in `environments` spelled out, so
    /// that an absent state and an explicit `{"enabled": false}` compare equal.
    static func normalized(_ flag: Flag, environments: Set<String>) -> Value? {
        var flag = flag
        for environment in environments { flag.environments[environment] = flag.state(in: environment) }
        guard let data = try? ClutchJSON.encode(flag) else { return nil }
        return try? ClutchJSON.decode(Value.self, from: data)
    }

    /// One line per change: `path: before → after`.
    static func render(_ changes: [Change], indent: String) -> [String] {
        changes.map { change in
            let before = change.before.map(\.jsonText) ?? "(none)"
            let after = change.after.map(\.jsonText) ?? "(none)"
            return "\(indent)\(change.path): \(Style.red(before)) → \(Style.green(after))"
        }
    }
}
