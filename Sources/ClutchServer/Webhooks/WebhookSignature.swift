import Crypto
import Foundation

/// The `Clutch-Signature` header of a webhook delivery: `t=<unix seconds>,v1=<hex>`, where the
/// hex is HMAC-SHA256 with the webhook's secret over `"<t>.<body>"`. Signing the time with the
/// body lets a receiver refuse a captured delivery sent again later (a replay): it checks the
/// signature, then that `t` is within its tolerance of its own clock. docs/webhooks.md shows
/// the same check in Python and with openssl.
public enum WebhookSignature {
    /// The header's name.
    public static let header = "Clutch-Signature"
    /// The tolerance docs/webhooks.md recommends.
    public static let defaultTolerance: TimeInterval = 300

    /// The header value for `body` sent at `timestamp` (unix seconds).
    public static func sign(body: Data, secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(hex(body: body, secret: secret, timestamp: timestamp))"
    }

    /// Why a delivery fails verification.
    public enum Failure: Error, Equatable, Sendable {
        /// The header is missing a part or is not `t=…,v1=…`.
        case malformed
        /// No `v1` signature matches the body and the secret.
        case mismatch
        /// The signature matches but `t` is further than the tolerance from now.
        case stale(seconds: Int64)
    }

    /// Checks a delivery as a receiver should: the signature over `"<t>.<body>"` (compared in
    /// constant time), then the age of `t`. Throws ``Failure``.
    public static func verify(
        header value: String, body: Data, secret: String, now: Date = Date(), tolerance: TimeInterval = defaultTolerance
    ) throws(Failure) {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in value.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw .malformed }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformed }
        let expected = hex(body: body, secret: secret, timestamp: timestamp)
        guard signatures.contains(where: { ConsoleSessions.constantTimeEqual($0, expected) }) else { throw .mismatch }
        let age = Int64(now.timeIntervalSince1970) - timestamp
        guard abs(Double(age)) <= tolerance else { throw .stale(seconds: age) }
    }

    private static func hex(body: Data, secret: String, timestamp: Int64) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
        }.joined()
    }
}
