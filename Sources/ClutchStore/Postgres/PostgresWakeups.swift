import Synchronization

/// The work a committed transaction queued for the server's background runners: a schedule
/// added, a webhook delivery queued. Each is announced twice: to this process's runners once the
/// transaction commits (``PostgresWakeups``), and to the other replicas by a `NOTIFY` in the
/// transaction, which their listeners turn into the same calls (``PostgresStore/listen(onListening:onNotification:)``).
enum PostgresWork: String, Sendable, CaseIterable {
    case schedules
    case deliveries

    /// The payload of its notification on ``PostgresStore/changesChannel``.
    var payload: String { "work:\(rawValue)" }
}

/// What one transaction queued, noted as it runs and announced only after `COMMIT`.
final class PostgresQueuedWork: Sendable {
    private let queued = Mutex<Set<PostgresWork>>([])

    func insert(_ work: PostgresWork) { queued.withLock { _ = $0.insert(work) } }

    var all: Set<PostgresWork> { queued.withLock { $0 } }
}

/// The callbacks the runners registered (``ScheduleStoring/onScheduleAdded(_:)``,
/// ``WebhookStoring/onDeliveryQueued(_:)``), by the work that wakes them.
final class PostgresWakeups: Sendable {
    private let actions = Mutex<[PostgresWork: [@Sendable () -> Void]]>([:])

    func add(_ work: PostgresWork, _ action: @escaping @Sendable () -> Void) {
        actions.withLock { $0[work, default: []].append(action) }
    }

    func wake(_ work: some Sequence<PostgresWork>) {
        let due = actions.withLock { actions in work.flatMap { actions[$0] ?? [] } }
        for action in due { action() }
    }
}

extension PostgresSession {
    /// Notes that this transaction queued `work`, and notifies the other replicas of it on commit.
    func queued(_ work: PostgresWork) async throws {
        queuedWork.insert(work)
        try await execute("SELECT pg_notify(\(PostgresStore.changesChannel), \(work.payload))")
    }
}
