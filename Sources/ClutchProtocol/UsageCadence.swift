import ClutchCore
import Foundation

/// How often the server asks SDKs to send their usage report: every
/// ``releaseReportSeconds`` while a guarded release runs in the environment (so the guard sees
/// a bad step within seconds), otherwise at the SDK's own interval.
///
/// The server says it three ways, all optional for a client: an SSE event named ``eventName``
/// on `GET /sdk/v1/stream` (sent after the first events and whenever it changes; it has no `id`
/// and does not change the snapshot version), the ``header`` on `GET /sdk/v1/flags`, and the
/// `reportEvery` field of the `POST /sdk/v1/usage` answer. Older SDKs ignore all three (unknown
/// event names are ignored by the protocol), and keep reporting at their own interval.
public struct UsageCadence: Sendable, Hashable, Codable {
    /// The SSE event name.
    public static let eventName = "usage-cadence"
    /// The response header of the snapshot download: seconds, absent when there is no hint.
    public static let header = "Clutch-Report-Every"
    /// Seconds between reports while a release runs.
    public static let releaseReportSeconds = 5

    /// Seconds between reports the server asks for; `nil` for the SDK's own interval.
    public var reportEvery: Int?

    public init(reportEvery: Int?) {
        self.reportEvery = reportEvery
    }

    /// The cadence of an environment with or without a running release.
    public static func releaseRunning(_ running: Bool) -> UsageCadence {
        UsageCadence(reportEvery: running ? releaseReportSeconds : nil)
    }

    enum CodingKeys: String, CodingKey { case reportEvery }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reportEvery = try c.decodeIfPresent(Int.self, forKey: .reportEvery)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reportEvery, forKey: .reportEvery)
    }

    /// The event's `data:`, JSON with sorted keys.
    public func data() throws -> [UInt8] { Array(try ClutchJSON.encode(self)) }

    /// Reads the event's data; unknown fields are ignored (a newer server may send more).
    public init(data: some Collection<UInt8>) throws {
        self = try ClutchJSONDecoder().decode(UsageCadence.self, from: Array(data))
    }

    /// The interval to report at, given the SDK's configured one: the shorter of the two, and
    /// never below one second whatever a server sends.
    public func interval(configured: Duration) -> Duration {
        guard let reportEvery, configured > .zero else { return configured }
        return min(configured, .seconds(max(1, reportEvery)))
    }
}
