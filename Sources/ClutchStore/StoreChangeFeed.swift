import Foundation

/// What a store shared by several server replicas tells each of them: that another replica
/// committed a change. A store only one server uses (SQLite) has no feed.
public enum StoreNotification: Sendable, Hashable {
    /// `environment`'s snapshot version is now at least `version`.
    case environment(String, version: Int64)
    /// Credentials changed (a key created or revoked).
    case credentials
}

/// A store whose changes other processes make too: the server listens for them and also polls,
/// so that a lost notification delays a change by one poll, never forever.
public protocol StoreChangeFeed: Sendable {
    /// Listens for committed changes until cancelled or until the connection is lost (then it
    /// throws; the caller listens again). `onListening` runs once the listener is registered:
    /// every change committed after that is delivered to `onNotification`, in commit order.
    func listen(
        onListening: @Sendable () async -> Void, onNotification: @Sendable (StoreNotification) async -> Void
    ) async throws
}
