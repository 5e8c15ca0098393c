import ClutchCore
import Foundation

/// Protected environments and change requests (``SQLStore/applyChangeRequest(_:change:)``).
/// Part of ``ClutchStoring``.
///
/// - **Pinned.** A request stores the flag's revision it was opened against and the diff its
///   instructions made to it; its apply is refused (and its approvals withdrawn) unless the
///   instructions make the same diff to the flag as it is then.
/// - **One transaction.** An apply writes the flag's change and the request's state together;
///   each step writes its audit event and webhook event with it.
public protocol ChangeRequestStoring: Sendable {
    /// Protects `environment` (`protection`) or lifts its protection (`nil`).
    func setProtection(environment: String, _ protection: EnvironmentProtection?, change: ChangeInfo) async throws -> EnvironmentRecord
    /// Opens a request; `identity` is who its author counts as for self-approval.
    func openChangeRequest(_ request: ChangeRequestCreate, identity: String, change: ChangeInfo) async throws -> ChangeRequestRecord
    /// Requests, newest first, filtered by status and flag when given.
    func changeRequests(status: ChangeRequestRecord.Status?, flag: String?, limit: Int) async throws -> [ChangeRequestRecord]
    /// One request, or `notFound`.
    func changeRequest(_ id: Int64) async throws -> ChangeRequestRecord
    /// Records a review by `identity` (each identity counts once).
    func reviewChangeRequest(_ id: Int64, verdict: ReviewVerdict, comment: String?, identity: String, change: ChangeInfo) async throws
        -> ChangeRequestRecord
    /// Replaces a pending request's instructions, withdrawing its reviews.
    func editChangeRequest(_ id: Int64, _ edit: ChangeRequestEdit, change: ChangeInfo) async throws -> ChangeRequestRecord
    /// Cancels a pending request.
    func cancelChangeRequest(_ id: Int64, change: ChangeInfo) async throws -> ChangeRequestRecord
    /// Applies an approved request, or refuses it (conflict) and reopens it for review.
    func applyChangeRequest(_ id: Int64, change: ChangeInfo) async throws -> Change<ChangeRequestRecord>
    /// When the next approved request with a time is due.
    func nextChangeRequestDue() async throws -> Date?
    /// The approved requests due at `now`, oldest first.
    func dueChangeRequests(now: Date) async throws -> [Int64]
    /// Applies an approved, due request as the scheduler with its author's rights then, or marks
    /// it failed with the reason; `nil` when it was not (or no longer) due and approved.
    func runChangeRequest(_ id: Int64, now: Date) async throws -> Change<ChangeRequestRecord?>
}

extension ChangeRequestStoring {
    public func changeRequests(status: ChangeRequestRecord.Status? = nil, flag: String? = nil) async throws -> [ChangeRequestRecord] {
        try await changeRequests(status: status, flag: flag, limit: 500)
    }
}
