import ClutchCore
import ServerTestSupport

extension TestServer {
    /// Creates the fixture cohort and flags (``Fixtures/snapshot(version:checkoutEnabled:banner:)``).
    func seedFixtures() async throws {
        let snapshot = Fixtures.snapshot()
        for cohort in snapshot.cohorts {
            let json = String(decoding: try ClutchJSON.encode(cohort), as: UTF8.self)
            try await mustSend("POST", "/api/v1/environments/production/cohorts", body: json, expected: 201)
        }
        for flag in snapshot.flags {
            try await createFlag(String(decoding: try ClutchJSON.encode(flag), as: UTF8.self))
        }
    }
}
