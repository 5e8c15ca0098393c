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

    /// The eight pending columns (``Tables/releaseReporterAddends(parameter:)``), the release row's too.
    static let columns: [String] = ["pending", "early"].flatMap { prefix in
        ["new", "other"].flatMap { side in ["evaluations", "errors"].map { "\(prefix)_\(side)_\($0)" } }
    }

    /// A SQL condition: the row has something to take.
    static let anyPending = (columns + ["excess_errors"]).map { "\($0) > 0" }.joined(separator: " OR ")

    /// A SQL `SET` list zeroing the pending columns.
    static let zeroed = columns.map { "\($0) = 0" }.joined(separator: ", ")

    /// What taking `batch` zeroes: its counts when it carries them, and its excess errors.
    static func zeroing(_ batch: ReporterBatch) -> String {
        batch.all.isEmpty ? "excess_errors = 0" : zeroed + ", excess_errors = 0"
    }

    /// The batch a row holds (`sample` reads a pending column by name): all of it and the part
    /// that arrived after the step settled, once both sides have evaluations (so that a batch
    /// always carries its reporter's exposure on both sides; until then the counts wait), and
    /// the errors claimed beyond what the server served, at once. `nil`: nothing to take yet.
    static func batch(sample: (String) throws -> Int64, excess: Int64) throws -> ReporterBatch? {
        func counts(_ prefix: String) throws -> GuardSample {
            GuardSample(
                new: SideCounts(evaluations: try sample("\(prefix)_new_evaluations"), errors: try sample("\(prefix)_new_errors")),
                other: SideCounts(evaluations: try sample("\(prefix)_other_evaluations"), errors: try sample("\(prefix)_other_errors")))
        }
        let settled = try counts("pending")
        let all = settled + (try counts("early"))
        if all.new.evaluations > 0, all.other.evaluations > 0 { return ReporterBatch(all: all, settled: settled, excessErrors: excess) }
        return excess > 0 ? ReporterBatch(all: GuardSample(), settled: GuardSample(), excessErrors: excess) : nil
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
