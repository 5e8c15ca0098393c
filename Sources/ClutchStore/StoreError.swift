import ClutchCore

/// Why the store refused a request. Nothing was changed when one is thrown.
///
/// The server maps ``kind`` to an HTTP status in one place: `notFound` → 404,
/// `conflict` → 409, `invalid` and `badRequest` → 400, `reviewRequired` → 409 `review_required`.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The category of the refusal.
    public enum Kind: Sendable, Hashable {
        /// An unknown flag, cohort, environment, key or revision.
        case notFound
        /// The entity exists already, the revision named is stale, or the entity is still in use.
        case conflict
        /// The definition is invalid; the error lists every problem with its field path.
        case invalid(ValidationError)
        /// A request that cannot be satisfied as asked (for example restoring a deleted state).
        case badRequest
        /// A direct change that widens exposure in a protected environment: it needs a change request.
        case reviewRequired
    }

    public var kind: Kind
    /// One sentence naming the entity and key.
    public var message: String
    /// The path of the field at fault, when one is.
    public var field: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }

    public var description: String { field.map { "\(message) (\($0))" } ?? message }

    static func notFound(_ message: String, field: String? = nil) -> StoreError { StoreError(.notFound, message, field: field) }
    static func conflict(_ message: String, field: String? = nil) -> StoreError { StoreError(.conflict, message, field: field) }
    static func badRequest(_ message: String, field: String? = nil) -> StoreError { StoreError(.badRequest, message, field: field) }
    static func reviewRequired(_ message: String) -> StoreError { StoreError(.reviewRequired, message) }

    /// A validation failure whose paths are prefixed with `prefix` (the place of the definition in a document).
    static func invalid(_ error: ValidationError, prefix: String = "") -> StoreError {
        let issues = error.issues.map { issue in
            ValidationIssue(path: prefix.isEmpty ? issue.path : (issue.path.isEmpty ? prefix : "\(prefix).\(issue.path)"), message: issue.message)
        }
        let prefixed = ValidationError(issues)
        let first = issues.first
        return StoreError(.invalid(prefixed), first?.message ?? "invalid definition", field: first?.path)
    }
}

/// The database could not be reached (connection refused or lost mid-transaction). Nothing the
/// call meant to change was committed — or, for a connection lost during `COMMIT`, nothing is
/// known; the server answers 503 and the caller may retry (changes are idempotent or guarded by
/// `ifRevision`).
public struct StoreUnavailableError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
