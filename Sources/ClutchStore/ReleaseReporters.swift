import ClutchCore
import Foundation

/// The reporter rows of a release (`release_reporter`), as both databases keep them: which row
/// a report goes to, and what the runner takes out of a row.
enum ReleaseReporters {
    /// The row a report of `reporter` (`nil`: ``ReporterGuard/unnamedReporter``) goes to, given
    /// the release's `known` rows (updated): its own, or once the release tracks
    /// ``ReporterGuard/maxReporters``, its key's ``ReporterGuard/overflowReporter(keyID:)``.
    static func row(for reporter: String?, known: inout Set<String>) -> String {
        let reporter = reporter ?? ReporterGuard.unnamedReporter
        if known.contains(reporter) || known.count < ReporterGuard.maxReporters {
            known.insert(reporter)
            return reporter
        }
        let overflow = ReporterGuard.overflowReporter(keyID: ReporterGuard.keyID(of: reporter) ?? reporter)
        known.insert(overflow)
        return overflow
    }

    /// The eight pending columns, the release row's too: `pending_*` for usage that arrived after
    /// the step settled, `early_*` before; `*_new_*` for the release's variant, `*_other_*` for
    /// the rest.
    static let columns: [String] = ["pending", "early"].flatMap { prefix in
        ["new", "other"].flatMap { side in ["evaluations", "errors"].map { "\(prefix)_\(side)_\($0)" } }
    }

    /// Where a reporter row's counts saturate: far beyond any real count, and summing two
    /// of them never overflows.
    static let limit: Int64 = 1 << 62

    /// What one report (`entry`, which arrived at `arrived`) adds to each of ``columns``, in
    /// their order, for a release of `variant` whose step settles at `settledAt` (Unix seconds):
    /// its evaluations and errors on the new side when its variant is the release's (compared
    /// by bytes, as the database compares text), the other side otherwise; `pending_*` from the
    /// moment the step settles, `early_*` before.
    static func addends(of entry: UsageEntry, arrived: Date, variant: String, settledAt: Double) -> [Int64] {
        let settled = arrived.timeIntervalSince1970 >= settledAt
        let new = entry.variant.utf8.elementsEqual(variant.utf8)
        return [true, false].flatMap { settledSide in
            [true, false].flatMap { newSide in
                settledSide == settled && newSide == new ? [entry.count, entry.errors] : [0, 0]
            }
        }
    }

    /// A SQL condition: the row has something to take.
    static let anyPending = (columns + ["excess_errors"]).map { "\($0) > 0" }.joined(separator: " OR ")

    /// A SQL `SET` list zeroing the pending columns.
    static let zeroed = columns.map { "\($0) = 0" }.joined(separator: ", ")

    /// What taking a batch zeroes: everything pending.
    static let zeroing = zeroed + ", excess_errors = 0"

    /// The batch a row holds (`sample` reads a pending column by name): all of it, the part
    /// that arrived after the step settled, and the errors claimed beyond what the server
    /// served. `nil`: nothing to take. (The reporter's evidence waits for both sides itself:
    /// ``ReporterProgress/unscored``.)
    static func batch(sample: (String) throws -> Int64, excess: Int64) throws -> ReporterBatch? {
        func counts(_ prefix: String) throws -> GuardSample {
            GuardSample(
                new: SideCounts(evaluations: try sample("\(prefix)_new_evaluations"), errors: try sample("\(prefix)_new_errors")),
                other: SideCounts(evaluations: try sample("\(prefix)_other_evaluations"), errors: try sample("\(prefix)_other_errors")))
        }
        let settled = try counts("pending")
        let all = settled + (try counts("early"))
        return all.isEmpty && excess == 0 ? nil : ReporterBatch(all: all, settled: settled, excessErrors: excess)
    }
}

extension ReporterBatch {
    /// Adds `other`'s counts and excess errors to this batch.
    mutating func merge(_ other: ReporterBatch) {
        all = all + other.all
        settled = settled + other.settled
        excessErrors = excessErrors.addingReportingOverflow(other.excessErrors).overflow ? .max : excessErrors + other.excessErrors
    }
}
