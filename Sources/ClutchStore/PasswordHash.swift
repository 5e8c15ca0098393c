import Crypto
import Foundation
import NIOPosix
import _CryptoExtras

/// Passwords as they are stored: scrypt (memory-hard: N = 2¹⁵, r = 8, p = 1, 32 MiB a try, as
/// OWASP recommends) with a random 16-byte salt, written `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`
/// (base64) so that stronger parameters can come later without a migration. Derivation runs on
/// NIO's thread pool, never on Swift's cooperative pool, which a sign-in must not hold for the
/// tens of milliseconds it takes.
public enum PasswordHash {
    static let logRounds = 15
    static let blockSize = 8
    static let parallelism = 1
    static let keyLength = 32
    static let saltLength = 16

    /// A new stored form of `password` (the caller checked ``PeopleRules/checkPassword(_:)``).
    public static func make(_ password: String) async throws -> String {
        let salt = randomBytes(saltLength)
        let key = try await derive(password, salt: salt, logRounds: logRounds, blockSize: blockSize, parallelism: parallelism)
        return ["scrypt", "\(logRounds)", "\(blockSize)", "\(parallelism)", Data(salt).base64EncodedString(), Data(key).base64EncodedString()]
            .joined(separator: "$")
    }

    /// Whether `password` is the one `stored` was made from, compared in constant time. With no
    /// stored form (an unknown email, or a person without a password) it does the same work
    /// against a random key and says no, so that the answer takes as long either way.
    public static func verify(_ password: String, against stored: String?) async -> Bool {
        let parts = stored?.split(separator: "$").map(String.init) ?? []
        guard parts.count == 6, parts[0] == "scrypt", let log = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            (10...20).contains(log), (1...16).contains(r), (1...4).contains(p),
            let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5])
        else {
            _ = try? await derive(password, salt: randomBytes(saltLength), logRounds: logRounds, blockSize: blockSize, parallelism: parallelism)
            return false
        }
        guard let key = try? await derive(password, salt: Array(salt), logRounds: log, blockSize: r, parallelism: p),
            key.count == expected.count
        else { return false }
        return zip(key, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: [UInt8], logRounds: Int, blockSize: Int, parallelism: Int) async throws -> [UInt8] {
        let rounds = 1 << logRounds
        return try await NIOThreadPool.singleton.runIfActive {
            let key = try KDF.Scrypt.deriveKey(
                from: Array(password.utf8), salt: salt, outputByteCount: keyLength, rounds: rounds, blockSize: blockSize,
                parallelism: parallelism, maxMemory: 2 * 128 * rounds * blockSize * parallelism)
            return key.withUnsafeBytes { Array($0) }
        }
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
