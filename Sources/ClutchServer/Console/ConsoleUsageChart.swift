import ClutchStore
import Foundation

/// The flag page's usage card: evaluations per hour over the last day as a server-rendered SVG
/// bar chart (no script, drawn in the stylesheet's colours), the same figures as a table for
/// screen readers and anyone who wants numbers, and per variant its evaluations and when it was
/// last evaluated. Values only: the template (`usageCard`) escapes them like every other.
enum ConsoleUsageChart {
    /// The drawing's size in SVG units: one 20-unit slot per hour, the bars above the time axis.
    static let slot = 20
    static let plotHeight = 100
    static let axisHeight = 16

    static func values(_ chart: UsageChart, now: Date) -> [String: Any] {
        let peak = chart.hours.map(\.evaluations).max() ?? 0
        let total = chart.total
        let bars = chart.hours.enumerated().map { index, hour -> [String: Any] in
            // A counted hour is at least one unit tall, so that it never looks like none.
            let scaled = peak == 0 ? 0 : Int((Double(hour.evaluations) / Double(peak) * Double(plotHeight)).rounded())
            let height = hour.evaluations > 0 ? max(1, scaled) : 0
            let label = Self.hour(hour.start)
            return [
                "x": index * slot + 2, "y": plotHeight - height, "width": slot - 4, "height": height, "hour": label,
                "count": ConsoleFormat.count(hour.evaluations),
                "title": "\(label) UTC: \(ConsoleFormat.count(hour.evaluations)) evaluation\(hour.evaluations == 1 ? "" : "s")",
            ]
        }
        // A time under every sixth bar.
        let ticks = chart.hours.enumerated().filter { $0.offset % 6 == 0 }.map { index, hour -> [String: Any] in
            ["x": index * slot + 2, "label": Self.hour(hour.start)]
        }
        let variantTotal = chart.variantTotal
        let variants = chart.variants.map { variant -> [String: Any] in
            let share = variantTotal == 0 ? 0 : Double(variant.evaluations) / Double(variantTotal) * 100
            return [
                "key": variant.key, "count": ConsoleFormat.count(variant.evaluations), "share": String(format: "%.1f %%", share),
                "last": ConsoleFormat.time(variant.lastEvaluated, now: now),
            ]
        }
        var summary = "\(ConsoleFormat.count(total)) evaluation\(total == 1 ? "" : "s") in the last 24 hours"
        if total > 0, let busiest = chart.hours.max(by: { $0.evaluations < $1.evaluations }) {
            summary += "; the busiest hour, \(Self.hour(busiest.start)) UTC, had \(ConsoleFormat.count(busiest.evaluations))."
        } else {
            summary += "."
        }
        return [
            "usageHasData": total > 0, "usageBars": bars, "usageTicks": ticks, "usageWidth": chart.hours.count * slot,
            "usageHeight": plotHeight + axisHeight, "usageAxisY": plotHeight + axisHeight - 3,
            "usageSummary": summary,
            "usageHasVariants": !variants.isEmpty, "usageVariants": variants,
        ]
    }

    /// `14:00`: an hour's start in UTC.
    static func hour(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let hour = ((seconds % 86_400) + 86_400) % 86_400 / 3_600
        return (hour < 10 ? "0" : "") + "\(hour):00"
    }
}
