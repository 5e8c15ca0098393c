import Foundation

/// A duration in words for messages: "less than a minute", "5 minutes", "3 hours", "2 days".
enum RelativeAge {
    static func describe(_ seconds: TimeInterval) -> String {
        func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }
        switch max(0, seconds) {
        case ..<60: return "less than a minute"
        case ..<3600: return plural(Int(seconds / 60), "minute")
        case ..<86400: return plural(Int(seconds / 3600), "hour")
        default: return plural(Int(seconds / 86400), "day")
        }
    }
}
