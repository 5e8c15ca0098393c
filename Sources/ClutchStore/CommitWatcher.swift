import GRDB

/// Calls back after each commit that inserted rows into one of some tables: how the scheduler
/// learns of a new schedule and the dispatcher of new deliveries, without polling. Every write
/// goes through the store's one writer, so every such commit is seen, whoever made it.
final class CommitWatcher: TransactionObserver, @unchecked Sendable {
    private let tables: Set<String>
    private let action: @Sendable () -> Void
    // Touched only on the writer's queue (GRDB calls observers there).
    private var inserted = false

    init(tables: Set<String>, action: @escaping @Sendable () -> Void) {
        self.tables = tables
        self.action = action
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return tables.contains(table) }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        inserted = true
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        guard inserted else { return }
        inserted = false
        action()
    }

    func databaseDidRollback(_ db: Database) {
        inserted = false
    }
}

extension FlagStore {
    /// Calls `action` after every commit that added a schedule.
    public func onScheduleAdded(_ action: @escaping @Sendable () -> Void) {
        pool.add(transactionObserver: CommitWatcher(tables: ["schedule"], action: action), extent: .databaseLifetime)
    }

    /// Calls `action` after every commit that queued a webhook delivery.
    public func onDeliveryQueued(_ action: @escaping @Sendable () -> Void) {
        pool.add(transactionObserver: CommitWatcher(tables: ["webhook_delivery"], action: action), extent: .databaseLifetime)
    }
}
