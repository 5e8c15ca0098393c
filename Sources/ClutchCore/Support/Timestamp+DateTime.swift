import Foundation

extension Timestamp {
    /// The instant an RFC 3339 date-time names (`2026-12-01T09:00:00Z`, fractional seconds and
    /// offsets allowed), as the API and the CLI accept times; `nil` for anything else (plain
    /// dates and Unix seconds, which rules accept, are not date-times).
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              let seconds = seconds(text)
        else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// `date` as RFC 3339 in UTC with milliseconds (`2026-12-01T09:00:00.250Z`).
    public static func format(_ date: Date) -> String {
        // A formatter per call: they are not Sendable, and this runs once per event or request.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// `date` as RFC 3339 in UTC, whole seconds (`2026-12-01T09:00:00Z`): how sentences people
    /// read name a time (a block's end, the CLI's output), where milliseconds are noise.
    public static func formatSeconds(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
