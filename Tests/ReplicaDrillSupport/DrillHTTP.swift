import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange's outcome.
public struct DrillReply: Sendable {
    public let status: Int
    public let body: String
}

/// The drill's HTTP calls: one `HTTPClient` (NIO, no URLSession) for the load, the admin calls
/// and the streams, with a pool large enough for a thousand streams to one host.
public enum DrillHTTP {
    /// A client whose pool holds `connections` connections per host.
    public static func makeClient(connections: Int = 64) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        // Idle connections are closed by the client before HAProxy's `timeout http-keep-alive`
        // (10 s) would: a request is never written onto a connection the proxy is closing.
        configuration.connectionPool = .init(
            idleTimeout: .seconds(5), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends one request and reads the whole answer (at most 4 MiB) within `timeout`.
    public static func call(
        _ client: HTTPClient, _ method: HTTPMethod, _ url: String, body: String? = nil, bearer: String? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> DrillReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: timeAmount(timeout))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        return DrillReply(status: Int(response.status.code), body: String(buffer: bytes))
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}

/// Nearest-rank percentiles of samples in milliseconds.
public struct Percentiles: Sendable {
    public let sorted: [Double]

    public init(_ samples: [Double]) { sorted = samples.sorted() }

    public var count: Int { sorted.count }

    /// The `p`-th percentile (0…100), 0 without samples.
    public func value(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    public var max: Double { sorted.last ?? 0 }
}

extension Duration {
    /// Milliseconds, fractional.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
