import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, as the address checks of webhook targets see it.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// In host byte order.
    case v4(UInt32)
    /// 16 bytes, network order.
    case v6([UInt8])

    /// An address written the strict way (`203.0.113.7`, `2001:db8::1`, `[::1]`), as a URL's host
    /// is connected to without a DNS lookup; `nil` for anything else.
    public init?(strict text: String) {
        let bare = Self.withoutBrackets(text)
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
        } else if inet_pton(AF_INET6, bare, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
        } else {
            return nil
        }
    }

    /// An address in any spelling the C library's resolver also reads as one: the strict forms and
    /// the old IPv4 ones (`0x7f000001`, `2130706433`, `0177.0.0.1`, `127.1`), which a URL may use to
    /// hide a loopback or private address from a check of the dotted form only.
    public init?(literal text: String) {
        if let strict = IPAddress(strict: text) {
            self = strict
            return
        }
        var v4 = in_addr()
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X") }),
              inet_aton(text, &v4) != 0
        else { return nil }
        self = .v4(UInt32(bigEndian: v4.s_addr))
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
        case .v6(var bytes):
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard bytes.withUnsafeMutableBytes({ inet_ntop(AF_INET6, $0.baseAddress, &buffer, socklen_t(buffer.count)) }) != nil else {
                return bytes.map { String($0, radix: 16) }.joined(separator: ":")
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The IPv4 address inside an IPv6 one that stands for it: IPv4-mapped (`::ffff:a.b.c.d`),
    /// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
    var embeddedV4: UInt32? {
        guard case .v6(let b) = self else { return nil }
        func word(_ at: Int) -> UInt32 {
            UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
        }
        if b[0..<10].allSatisfy({ $0 == 0 }) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)) {
            // ::/128 and ::1 are not IPv4 addresses: they are classified as they are.
            if b[10] == 0 && b[0..<15].allSatisfy({ $0 == 0 }) { return nil }
            return word(12)
        }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) { return word(12) }
        if b[0] == 0x20 && b[1] == 0x02 { return word(2) }
        return nil
    }

    /// What the address is, for ``WebhookTargetPolicy``.
    public var kind: Kind {
        if let v4 = embeddedV4 { return IPAddress.v4(v4).kind }
        switch self {
        case .v4(let a):
            func within(_ network: UInt32, _ bits: UInt32) -> Bool { a >> (32 - bits) == network >> (32 - bits) }
            if within(0x0000_0000, 8) { return .unusable("unspecified address") }
            if within(0xe000_0000, 4) { return .unusable("multicast address") }
            if within(0xf000_0000, 4) { return .unusable("reserved or broadcast address") }
            if within(0x7f00_0000, 8) { return .internal("loopback address") }
            if within(0xa9fe_0000, 16) { return .internal("link-local address") }
            if within(0x0a00_0000, 8) || within(0xac10_0000, 12) || within(0xc0a8_0000, 16) { return .internal("private address") }
            if within(0x6440_0000, 10) { return .internal("shared (CGNAT) address") }
            if within(0xc000_0000, 24) || within(0xc612_0000, 15) { return .internal("special-purpose address") }
            return .public
        case .v6(let b):
            if b.allSatisfy({ $0 == 0 }) { return .unusable("unspecified address") }
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .internal("loopback address") }
            if b[0] == 0xff { return .unusable("multicast address") }
            if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return .internal("link-local address") }
            if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return .internal("site-local address") }
            if b[0] & 0xfe == 0xfc { return .internal("private address") }
            return .public
        }
    }

    /// Where an address leads.
    public enum Kind: Sendable, Hashable {
        /// The internet: always a valid webhook target.
        case `public`
        /// This host or the networks around it (loopback, private, link-local, CGNAT): a target only
        /// when the operator allows it.
        case `internal`(String)
        /// Nowhere a webhook could be delivered (unspecified, multicast, broadcast): never a target.
        case unusable(String)
    }

    /// The address as bits, most significant first, for prefix comparisons.
    fileprivate var bytes: [UInt8] {
        switch self {
        case .v4(let value): return [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
        case .v6(let bytes): return bytes
        }
    }

    fileprivate static func withoutBrackets(_ text: String) -> String {
        text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
    }
}

/// An IP network of the allow-list (`10.1.0.0/16`, `fd00::/8`, or one address).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// `address/prefix` in strict notation, or a single address; `nil` when it is neither.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let address = IPAddress(strict: parts[0]) else { return nil }
        let maximum = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maximum).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.address = address
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Whether `other` is in this network (an IPv4 address never is in an IPv6 network, except
    /// through its mapped form, which ``WebhookTargetPolicy`` checks as the IPv4 address).
    public func contains(_ other: IPAddress) -> Bool {
        let mine = address.bytes, theirs = other.bytes
        guard mine.count == theirs.count else { return false }
        var remaining = prefixLength
        for index in mine.indices where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if mine[index] & mask != theirs[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}

/// Which addresses a webhook may be sent to: public ones always; loopback, private, link-local and
/// CGNAT ones only when the operator allows them (`--webhook-allow-private`, or a network of
/// `--webhook-allow`); unspecified, multicast and broadcast ones never. Without it, an admin (or
/// whoever holds an admin token) could make the server probe the network it runs in — the
/// cloud's metadata service at 169.254.169.254, a database on 10.0.0.5 — and read the answers
/// from the delivery list.
public struct WebhookTargetPolicy: Sendable, Hashable {
    /// Every internal address is allowed (`--webhook-allow-private`).
    public var allowPrivate: Bool
    /// Internal networks allowed one by one (`--webhook-allow CIDR`).
    public var allowed: [IPNetwork]

    public init(allowPrivate: Bool = false, allowed: [IPNetwork] = []) {
        self.allowPrivate = allowPrivate
        self.allowed = allowed
    }

    /// `nil` when `address` may be a target, else why not (`loopback address`).
    public func refusal(of address: IPAddress) -> String? {
        switch address.kind {
        case .public:
            return nil
        case .unusable(let what):
            return what
        case .internal(let what):
            if allowPrivate { return nil }
            let candidates = [address] + (address.embeddedV4.map { [IPAddress.v4($0)] } ?? [])
            return allowed.contains { network in candidates.contains { network.contains($0) } } ? nil : what
        }
    }

    /// At creation: a URL whose host is an address, in any spelling, must be one allowed. A host
    /// name is checked when it is resolved, at each attempt (``WebhookTarget/resolve(_:policy:)``).
    func checkLiteralHost(of url: String) -> String? {
        guard let host = URL(string: url)?.host, let address = IPAddress(literal: IPAddress.withoutBrackets(host)),
              let refusal = refusal(of: address)
        else { return nil }
        return "must not point at a \(refusal) (\(address)); the server's operator can allow internal targets with --webhook-allow-private or --webhook-allow CIDR"
    }
}

/// Where one attempt connects: the host name of the webhook's URL, resolved once and checked,
/// and the one checked address the connection goes to.
struct WebhookTarget: Sendable {
    /// The URL's host as the HTTP client reads it (brackets removed), its key for the address override.
    var host: String
    /// The address to connect to.
    var address: IPAddress
    /// Whether `host` is that address written strictly: the client then connects to it without a lookup.
    var isLiteral: Bool

    /// Why an attempt was not made, in the words the delivery list records.
    enum Refusal: Error {
        case unresolvable
        case forbidden
    }

    /// Resolves the URL's host (off the cooperative pool: `getaddrinfo` blocks) and checks every
    /// address it has: one refused address refuses the target, so a name cannot mix a public
    /// address with an internal one and hope for the latter.
    static func resolve(_ url: String, policy: WebhookTargetPolicy) async throws -> WebhookTarget {
        // The same host AsyncHTTPClient takes from the URL (Foundation's URL, brackets trimmed).
        guard let host = URL(string: url)?.host.map(IPAddress.withoutBrackets), !host.isEmpty else { throw Refusal.unresolvable }
        if let address = IPAddress(strict: host) {
            guard policy.refusal(of: address) == nil else { throw Refusal.forbidden }
            return WebhookTarget(host: host, address: address, isLiteral: true)
        }
        let addresses = try await NIOThreadPool.singleton.runIfActive { lookUp(host) }
        guard let first = addresses.first else { throw Refusal.unresolvable }
        guard addresses.allSatisfy({ policy.refusal(of: $0) == nil }) else { throw Refusal.forbidden }
        // One address is connected to (the override takes one): IPv4 first, which every network
        // routes, as a client without IPv6 would fall back to.
        let v4 = addresses.first { if case .v4 = $0 { return true } else { return false } }
        return WebhookTarget(host: host, address: v4 ?? first, isLiteral: false)
    }

    /// Every address `getaddrinfo` gives for `host` (TCP), in its order; none when it fails.
    private static func lookUp(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let list else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    let v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    addresses.append(.v4(UInt32(bigEndian: v4)))
                case AF_INET6:
                    var v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(.v6(withUnsafeBytes(of: &v6) { Array($0) }))
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }
}
