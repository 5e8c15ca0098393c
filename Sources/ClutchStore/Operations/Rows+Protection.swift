import ClutchCore
import Foundation

/// Protected environments, row by row: their settings and the check ``checkGovernance`` makes.
extension Rows {
    /// An environment row's protection (`required_approvals` 0: none).
    static func protection(_ row: SQLRow) throws -> EnvironmentProtection? {
        let approvals = try row.get("required_approvals", as: Int64.self)
        guard approvals > 0 else { return nil }
        return EnvironmentProtection(requiredApprovals: Int(approvals), allowSelfApproval: try row.get("allow_self_approval"))
    }

    /// The protection of `environment`, `nil` when it has none (or does not exist).
    static func protection(_ session: any SQLSession, of environment: String) async throws -> EnvironmentProtection? {
        guard let row = try await session.row(
            "SELECT required_approvals, allow_self_approval FROM environment WHERE key = \(environment)")
        else { return nil }
        return try protection(row)
    }

    /// Refuses a direct change (`clearance` `.none`) that widens exposure in a protected
    /// environment, naming how to ask for it instead; a release step and an approved change
    /// request pass (what they apply was reviewed).
    /// `subject` names what changes (`a change to 'new-checkout'`).
    static func checkProtection(_ session: any SQLSession, subject: String, widening: [String], change: ChangeInfo) async throws {
        guard change.clearance == .none else { return }
        for environment in widening {
            guard let protection = try await protection(session, of: environment) else { continue }
            let approvals = protection.requiredApprovals == 1 ? "1 approval" : "\(protection.requiredApprovals) approvals"
            throw StoreError.reviewRequired(
                "\(environment) is protected: \(subject) that widens exposure needs \(approvals); open a change request: "
                    + "clutch requests (the CLI's change commands open one) or POST /api/v1/change-requests")
        }
    }
}
