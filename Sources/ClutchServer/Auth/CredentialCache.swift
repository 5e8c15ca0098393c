import ClutchStore
import Synchronization

/// Active credentials by SHA-256 hash, held in memory so that authenticating a request never
/// queries the database. Replaced as a whole whenever a key is created or revoked.
final class CredentialCache: Sendable {
    private let entries = Mutex<[String: CredentialRecord]>([:])
    private let hash: @Sendable (String) -> String

    /// `hash` is the store's secret hash (SHA-256 hex).
    init(hash: @escaping @Sendable (String) -> String) {
        self.hash = hash
    }

    /// Replaces every entry.
    func replace(with records: [CredentialRecord]) {
        var table: [String: CredentialRecord] = [:]
        for record in records { table[record.hash] = record }
        entries.withLock { $0 = table }
    }

    /// The principal a presented secret authenticates, if any.
    func principal(forSecret secret: String) -> Principal? {
        let hash = self.hash(secret)
        guard let record = entries.withLock({ $0[hash] }),
            ConstantTime.equals(Array(record.hash.utf8), Array(hash.utf8))
        else { return nil }
        switch record.kind {
        case .admin(let name): return .admin(name: name)
        case .sdk(let id, let environment): return .sdk(keyID: id, environment: environment)
        }
    }
}

/// Comparison whose time does not depend on where the inputs differ.
enum ConstantTime {
    static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
