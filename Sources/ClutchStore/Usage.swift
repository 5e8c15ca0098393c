import ClutchCore
import Foundation
import GRDB

/// Evaluations of one flag variant in one environment, as the server stores them.
public struct UsageEntry: Sendable, Hashable {
    public var environment: String
    public var flag: String
    public var variant: String
    public var count: Int64
    /// Errors the application attributed to the variant.
    public var errors: Int64
    /// Whether the counts are of evaluations the flag's default rollout decided (``UsageCount/rollout``).
    public var rollout: Bool
    /// When the server received the report these counts came in (its own clock), if the caller
    /// knows it: the counts belong to that moment — its hourly bucket, "last evaluated", and the
    /// step of a running release it arrived in — however late the batch holding them is written.
    /// `nil`: the time the batch is written.
    public var receivedAt: Date?
    /// Who reported the counts, for the release guard (``ReporterGuard``): `<key id>/<instance>`
    /// or `<key id>`; `nil`: ``ReporterGuard/unnamedReporter``.
    public var reporter: String?
    /// Errors of errors-only entries beyond the evaluations the server served the reporter's key:
    /// not in ``errors`` (dropped), kept so that the release guard can say so.
    public var excessErrors: Int64

    public init(
        environment: String, flag: String, variant: String, count: Int64, errors: Int64 = 0, rollout: Bool = false,
        receivedAt: Date? = nil, reporter: String? = nil, excessErrors: Int64 = 0
    ) {
        self.environment = environment
        self.flag = flag
        self.variant = variant
        self.count = count
        self.errors = errors
        self.rollout = rollout
        self.receivedAt = receivedAt
        self.reporter = reporter
        self.excessErrors = excessErrors
    }

    /// When these counts happened: ``receivedAt``, else `written` (the batch's time).
    func time(written: Date) -> Date { receivedAt ?? written }

    /// Refuses a batch with a negative count or error count (a batch sums reports already checked
    /// against ``UsageLimits``, so only the sign is checked again): every store calls this.
    static func checkNotNegative(_ entries: [UsageEntry]) throws {
        for (i, entry) in entries.enumerated() where entry.count < 0 || entry.errors < 0 || entry.excessErrors < 0 {
            let field = entry.count < 0 ? "count" : "errors"
            throw StoreError.badRequest(
                "a count cannot be negative, got \(min(entry.count, entry.errors, entry.excessErrors))", field: "counts[\(i)].\(field)")
        }
    }

    init(environment: String, count: UsageCount) {
        self.init(
            environment: environment, flag: count.flag, variant: count.variant, count: count.count, errors: count.errors,
            rollout: count.rollout)
    }
}

/// What a usage report may hold. Reports come with SDK keys, which ship inside apps, so
/// everything in them is bounded before it is stored.
public enum UsageLimits {
    /// Entries (flag and variant pairs) in one report.
    public static var maxEntries: Int { UsageReportLimits.maxEntries }
    /// The largest count of one entry.
    public static var maxCount: Int64 { UsageReportLimits.maxCount }
    /// The longest flag or variant name an entry may carry.
    public static var maxNameBytes: Int { UsageReportLimits.maxNameBytes }

    /// Refuses a report with too many entries, or an entry with a negative or too large count
    /// or an over-long name, naming the first bad field.
    public static func validate(_ counts: [UsageCount]) throws {
        func refuse(_ path: String, _ message: String) -> StoreError {
            .invalid(ValidationError([ValidationIssue(path: path, message: message)]))
        }
        if counts.count > maxEntries {
            throw refuse("counts", "a report may have at most \(maxEntries) entries, got \(counts.count)")
        }
        for (i, entry) in counts.enumerated() {
            if !(0...maxCount).contains(entry.count) {
                throw refuse("counts[\(i)].count", "a count must be 0–\(maxCount), got \(entry.count)")
            }
            if !(0...maxCount).contains(entry.errors) {
                throw refuse("counts[\(i)].errors", "errors must be 0–\(maxCount), got \(entry.errors)")
            }
            // Errors are of the evaluations counted; `count: 0` is an OFREP client reporting
            // errors only (the server counted its evaluations, and bounds the errors by them).
            if entry.count > 0, entry.errors > entry.count {
                throw refuse("counts[\(i)].errors", "errors cannot exceed the entry's count (\(entry.count)), got \(entry.errors)")
            }
            if entry.flag.utf8.count > maxNameBytes {
                throw refuse("counts[\(i)].flag", "a flag key has at most \(maxNameBytes) bytes")
            }
            if entry.variant.utf8.count > maxNameBytes {
                throw refuse("counts[\(i)].variant", "a variant has at most \(maxNameBytes) bytes")
            }
        }
    }
}

extension UsageLimits {
    /// Refuses evaluation counts from a client key: it is public, so what it says it evaluated
    /// would let anyone mark a flag as evaluated or swell the volume a release's guard weighs.
    /// The server counts the evaluations it serves a client key itself (OFREP, the client
    /// stream); the key's reports carry errors only (`count: 0`), bounded by what it was served.
    public static func validate(_ counts: [UsageCount], kind: SDKKeyKind) throws {
        guard kind == .client, let i = counts.firstIndex(where: { $0.count > 0 }) else { return }
        throw StoreError.invalid(ValidationError([ValidationIssue(
            path: "counts[\(i)].count",
            message: "a client key reports errors only (count 0): the server counts the evaluations it serves, got \(counts[i].count)")]))
    }

    /// Refuses an instance id that is not 1–64 of `A-Z a-z 0-9 . _ -` (``ReporterGuard/isValidInstance(_:)``).
    public static func validate(instance: String?) throws {
        guard let instance, !ReporterGuard.isValidInstance(instance) else { return }
        throw StoreError.invalid(ValidationError([ValidationIssue(
            path: "instance", message: "an instance id is 1–64 of A-Z a-z 0-9 . _ -")]))
    }

    /// Refuses (400 naming `attributes[i]`) a report listing more than
    /// ``SeenAttributeLimits/maxPerReport`` attribute names, or a name that is empty, longer than
    /// ``SeenAttributeLimits/maxNameBytes`` or no attribute path.
    public static func validate(attributes: [SeenAttributeName]?) throws {
        guard let attributes else { return }
        if attributes.count > SeenAttributeLimits.maxPerReport {
            throw StoreError.invalid(ValidationError([ValidationIssue(
                path: "attributes", message: "a report may list at most \(SeenAttributeLimits.maxPerReport) attribute names, got \(attributes.count)")]))
        }
        if let index = attributes.firstIndex(where: { !SeenAttributeName.isValid($0.name) }) {
            throw StoreError.invalid(ValidationError([ValidationIssue(
                path: "attributes[\(index)].name",
                message: "an attribute name is 1–\(SeenAttributeLimits.maxNameBytes) bytes, written as a rule names it (see attribute paths)")]))
        }
    }
}

/// Saturating arithmetic for usage counts: a sum never overflows, whatever was reported.
enum UsageArithmetic {
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    /// A stored count as an integer: databases written before saturation could hold a REAL.
    static func count(from value: DatabaseValue) -> Int64 {
        switch value.storage {
        case .int64(let n): return max(0, n)
        case .double(let d): return d.isNaN || d <= 0 ? 0 : (d >= 9.2e18 ? .max : Int64(d))
        default: return 0
        }
    }
}
