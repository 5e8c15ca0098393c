import ClutchStore
import Crypto
import Synchronization

/// Active credentials by SHA-256 digest, held in memory so that authenticating a request never
/// queries the database. Replaced as a whole whenever a key is created or revoked.
final class CredentialCache: Sendable {
    /// A SHA-256 digest as four words: cheap to hash and compare.
    struct Digest: Hashable, Sendable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

        /// The digest of a 64-character hex string (the store's form), if it is one.
        init?(hex: String) {
            let bytes = Array(hex.utf8)
            guard bytes.count == 64 else { return nil }
            var words: [UInt64] = []
            for word in 0..<4 {
                var value: UInt64 = 0
                for i in 0..<16 {
                    let c = bytes[word * 16 + i]
                    let nibble: UInt64
                    switch c {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = UInt64(c - UInt8(ascii: "0"))
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = UInt64(c - UInt8(ascii: "a") + 10)
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = UInt64(c - UInt8(ascii: "A") + 10)
                    default: return nil
                    }
                    value = value << 4 | nibble
                }
                words.append(value)
            }
            self.words = (words[0], words[1], words[2], words[3])
        }

        /// SHA-256 of a secret's UTF-8 bytes.
        init(secretBytes: UnsafeBufferPointer<UInt8>) {
            let digest = SHA256.hash(data: secretBytes)
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            digest.withUnsafeBytes { raw in
                func word(_ n: Int) -> UInt64 {
                    var value: UInt64 = 0
                    for i in 0..<8 { value = value << 8 | UInt64(raw[n * 8 + i]) }
                    return value
                }
                words = (word(0), word(1), word(2), word(3))
            }
            self.words = words
        }

        static func == (a: Digest, b: Digest) -> Bool {
            // Constant time: no early exit on the first differing word.
            ((a.words.0 ^ b.words.0) | (a.words.1 ^ b.words.1) | (a.words.2 ^ b.words.2) | (a.words.3 ^ b.words.3)) == 0
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
        }
    }

    private let entries = Mutex<[Digest: Principal]>([:])

    /// Replaces every entry.
    func replace(with records: [CredentialRecord]) {
        var table: [Digest: Principal] = [:]
        for record in records {
            guard let digest = Digest(hex: record.hash) else { continue }
            switch record.kind {
            case .admin(let name): table[digest] = .admin(name: name)
            case .sdk(let id, let environment): table[digest] = .sdk(keyID: id, environment: environment)
            }
        }
        entries.withLock { $0 = table }
    }

    /// The principal whose secret has this digest, if any.
    func principal(for digest: Digest) -> Principal? {
        entries.withLock { $0[digest] }
    }
}
