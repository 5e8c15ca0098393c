import Foundation

extension Rows {
    /// Ends every console session of the person `personID`, those opened with their personal
    /// tokens included, in the caller's transaction: the next request of each, on any replica,
    /// finds no session (they are read from the database on every request).
    static func endConsoleSessions(_ session: any SQLSession, personID: String) async throws {
        try await session.execute("DELETE FROM console_session WHERE person_id = \(personID)")
    }

    /// Ends every console session opened with the token `tokenID`, in the caller's transaction.
    static func endConsoleSessions(_ session: any SQLSession, tokenID: String) async throws {
        try await session.execute("DELETE FROM console_session WHERE token_hash IN (SELECT hash FROM token WHERE id = \(tokenID))")
    }
}
