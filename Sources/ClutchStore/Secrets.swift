import Crypto
import Foundation

/// Secrets and identifiers the store makes, and the one form in which it keeps a secret: written
/// once for both databases.
public enum Secrets {
    /// Lowercase SHA-256 hex of `secret`: the only form in which credentials are stored.
    public static func hash(secret: String) -> String {
        hex(SHA256.hash(data: Data(secret.utf8)))
    }

    /// `count` random bytes as lowercase hex.
    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
