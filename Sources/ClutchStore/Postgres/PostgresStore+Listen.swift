import Foundation
import PostgresNIO

/// `LISTEN clutch_changes` on a connection of its own: every change commits a `NOTIFY` in its
/// transaction (``PostgresTables/bump(_:_:)``, ``Rows/notifyCredentials(_:)``), which
/// PostgreSQL delivers to each listener when (and only if) the transaction commits. Work queued
/// for the background runners (``StoreWork``) wakes this replica's runners instead.
extension SQLStore: StoreChangeFeed where Backend == PostgresBackend {
    public func listen(
        onListening: @Sendable () async -> Void, onNotification: @Sendable (StoreNotification) async -> Void
    ) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try Self.connectionConfiguration(address), id: Int.random(in: 1...Int(Int32.max)), logger: logger)
        do {
            try await connection.listen(on: Self.changesChannel) { notifications in
                await onListening()
                for try await notification in notifications {
                    // Work queued by a replica (this one's own runners were woken at its commit).
                    if let work = StoreWork.allCases.first(where: { $0.payload == notification.payload }) {
                        backend.wakeups.wake([work])
                        continue
                    }
                    guard let parsed = Self.parse(notification.payload) else {
                        logger.warning("unknown change notification", metadata: ["payload": "\(notification.payload)"])
                        continue
                    }
                    await onNotification(parsed)
                }
            }
            try? await connection.close()
            throw PostgresStoreError("the LISTEN connection ended")
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// `environment:version`, `credentials` or `delta:{…}`.
    static func parse(_ payload: String) -> StoreNotification? {
        if payload == Rows.credentialsPayload { return .credentials }
        if payload.hasPrefix(StoreNotification.deltaPrefix) { return StoreNotification.parseDelta(payload) }
        guard let colon = payload.lastIndex(of: ":"), let version = Int64(payload[payload.index(after: colon)...]) else { return nil }
        return .environment(String(payload[..<colon]), version: version)
    }

    static func connectionConfiguration(_ address: PostgresAddress) throws -> PostgresConnection.Configuration {
        // The listener is one long-lived connection; TLS as the pool's (`prefer` falls back to plain).
        let tls: PostgresConnection.Configuration.TLS
        switch address.sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(try .init(configuration: .makeClientConfiguration()))
        default: tls = .prefer(try .init(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.username, password: address.password,
            database: address.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
