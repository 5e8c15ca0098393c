/// A clause operator. The raw value is the spelling used in JSON and on the CLI.
public enum Operator: String, Sendable, Hashable, CaseIterable, Codable {
    /// The attribute equals one of the values, or is an array with an element that does.
    case `in` = "in"
    case startsWith
    case endsWith
    case contains
    /// Regular-expression search, compiled once when the definition is loaded.
    case matches
    case lessThan = "<"
    case lessThanOrEqual = "<="
    case greaterThan = ">"
    case greaterThanOrEqual = ">="
    case semverEqual = "semver="
    case semverLessThan = "semver<"
    case semverLessThanOrEqual = "semver<="
    case semverGreaterThan = "semver>"
    case semverGreaterThanOrEqual = "semver>="
    /// Date before, RFC 3339 or Unix seconds.
    case before
    /// Date after, RFC 3339 or Unix seconds.
    case after
    /// The attribute is present and not null; takes no values.
    case exists

    /// Every operator spelling, for error messages.
    public static let spellings = allCases.map(\.rawValue).joined(separator: ", ")
}
