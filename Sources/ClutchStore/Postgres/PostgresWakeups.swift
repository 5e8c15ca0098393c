import Synchronization

extension PostgresSession {
    /// Notes that this transaction queued `work`, and notifies the other replicas of it on commit.
    func queued(_ work: StoreWork) async throws {
        queuedWork.insert(work)
        try await execute("SELECT pg_notify(\(PostgresStore.changesChannel), \(work.payload))")
    }
}
