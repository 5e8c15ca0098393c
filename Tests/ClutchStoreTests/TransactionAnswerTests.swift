import Testing

@testable import ClutchStore

/// The first answer of a PostgreSQL transaction wins: the work's result, or the store giving up.
@Suite("Transaction answers")
struct TransactionAnswerTests {
    struct Gone: Error {}

    @Test func theWorksResultIsTheAnswerAndALateGiveUpChangesNothing() async throws {
        let answer = TransactionAnswer<Int>()
        #expect(answer.finish(.success(7)))
        #expect(!answer.giveUpUnlessLeased(Gone()))
        #expect(!answer.finish(.failure(Gone())))
        #expect(try await answer.value() == 7)
    }

    @Test func givingUpBeforeTheLeaseAnswersAWaitingCallerAndTheWorkIsIgnored() async throws {
        let answer = TransactionAnswer<Int>()
        let waiting = Task { try await answer.value() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(answer.giveUpUnlessLeased(Gone()))
        await #expect(throws: Gone.self) { try await waiting.value }
        #expect(!answer.finish(.success(1)), "the work ending later is not the answer")
        #expect(answer.connection == nil)
    }
}
