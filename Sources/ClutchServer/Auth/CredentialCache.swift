import ClutchStore
import Foundation
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
    /// SDK keys by id, with their events-stream tokens (made once here, when credentials change,
    /// not on every bulk evaluation that hands one out).
    private let sdkKeys = Mutex<[String: (token: String, environment: String, kind: SDKKeyKind)]>([:])

    /// Replaces every entry.
    func replace(with records: [CredentialRecord]) {
        var table: [Digest: Principal] = [:]
        var keys: [String: (token: String, environment: String, kind: SDKKeyKind)] = [:]
        for record in records {
            guard let digest = Digest(hex: record.hash) else { continue }
            switch record.kind {
            case .admin(let name): table[digest] = .admin(name: name)
            case .sdk(let id, let environment, let kind):
                table[digest] = .sdk(keyID: id, environment: environment, kind: kind)
                keys[id] = ("\(id).\(Self.signature(keyID: id, digest: digest))", environment, kind)
            }
        }
        entries.withLock { $0 = table }
        sdkKeys.withLock { $0 = keys }
    }

    /// The token that lets a browser's `EventSource` (which cannot send headers) open the
    /// OFREP event stream of an SDK key: `<key id>.<HMAC-SHA256 keyed by the key's stored digest>`.
    /// It reads one stream only, stops working when the key is revoked, and cannot be made
    /// without the digest, which never leaves the server. `nil` for an unknown key.
    func eventsToken(keyID: String) -> String? {
        sdkKeys.withLock { $0[keyID]?.token }
    }

    /// The SDK key principal an events token stands for, if it is genuine and the key is active.
    func principal(forEventsToken token: String) -> Principal? {
        guard let dot = token.lastIndex(of: ".") else { return nil }
        let keyID = String(token[..<dot])
        guard let key = sdkKeys.withLock({ $0[keyID] }) else { return nil }
        let presented = Array(token.utf8), expected = Array(key.token.utf8)
        guard presented.count == expected.count else { return nil }
        // Constant time: no early exit on the first differing byte.
        let difference = zip(presented, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) }
        return difference == 0 ? .sdk(keyID: keyID, environment: key.environment, kind: key.kind) : nil
    }

    private static func signature(keyID: String, digest: Digest) -> String {
        var keyBytes: [UInt8] = []
        for word in [digest.words.0, digest.words.1, digest.words.2, digest.words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { keyBytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("clutch-ofrep-events:\(keyID)".utf8), using: SymmetricKey(data: keyBytes))
        return Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The principal whose secret has this digest, if any.
    func principal(for digest: Digest) -> Principal? {
        entries.withLock { $0[digest] }
    }
}
