import ClutchStore
import Foundation

/// The flag page's usage card: evaluations per variant over the last day (per hour) or week (per
/// day, UTC) as a server-rendered stacked SVG bar chart (no script, drawn in the stylesheet's
/// colours, a legend beside it), the same figures as a table for screen readers and anyone who
/// wants numbers, a Day/Week switch (links), and per variant its evaluations and when it was last
/// evaluated. Values only: the template (`usageCard`) escapes them like every other.
enum ConsoleUsageChart {
    /// The drawing's size in SVG units: the bars above the time axis.
    static let plotHeight = 100
    static let axisHeight = 16
    /// Colours the stylesheet has for the stack (`s0`…`s5`); more variants reuse them in turn.
    static let colours = 6

    /// The window the page's `usage` parameter asks for: `week`, else the day.
    static func window(_ parameter: String?) -> UsageWindow {
        parameter.flatMap(UsageWindow.init(rawValue:)) ?? .day
    }

    static func values(_ series: UsageSeries, now: Date, flagURL: String) -> [String: Any] {
        let week = series.window == .week
        let slot = week ? 68 : 20
        let unit = week ? "day" : "hour"
        let peak = series.totals.max() ?? 0
        let total = series.total
        // Only variants counted in the window are drawn; each keeps its colour in the legend and tables.
        let shown = series.variants.filter { $0.total > 0 }
        let colour = Dictionary(shown.enumerated().map { ($1.key, "s\($0 % colours)") }) { first, _ in first }
        func label(_ index: Int) -> String { week ? day(series.points[index]) : hour(series.points[index]) }
        var bars: [[String: Any]] = []
        for index in series.points.indices where peak > 0 {
            // Stacked from the axis up in the variants' order, scaled to the busiest point.
            var top = Double(plotHeight)
            for variant in shown where variant.evaluations[index] > 0 {
                let height = Double(variant.evaluations[index]) / Double(peak) * Double(plotHeight)
                top -= height
                bars.append([
                    "x": index * slot + 2, "y": Self.unit(top), "width": slot - 4, "height": Self.unit(height), "class": colour[variant.key] ?? "s0",
                    "title": "\(label(index))\(week ? "" : " UTC"): \(variant.key), \(evaluations(variant.evaluations[index]))",
                ])
            }
        }
        // A time under every sixth hour, or every day.
        let ticks = series.points.indices.filter { week || $0 % 6 == 0 }.map { index -> [String: Any] in
            ["x": index * slot + 2, "label": label(index)]
        }
        let rows = series.points.indices.map { index -> [String: Any] in
            [
                "label": label(index), "cells": shown.map { ["count": ConsoleFormat.count($0.evaluations[index])] },
                "total": ConsoleFormat.count(series.totals[index]),
            ]
        }
        let span = week ? "the last 7 days (UTC)" : "the last 24 hours"
        let variants = series.variants.map { variant -> [String: Any] in
            let share = total == 0 ? 0 : Double(variant.total) / Double(total) * 100
            var values: [String: Any] = [
                "key": variant.key, "count": ConsoleFormat.count(variant.total), "share": String(format: "%.1f %%", share),
                "allTime": ConsoleFormat.count(variant.allTime), "last": ConsoleFormat.time(variant.lastEvaluated, now: now),
            ]
            // A swatch for the variants drawn (a section: a missing key would be looked up outside).
            values["swatch"] = colour[variant.key].map { [["class": $0]] } ?? []
            return values
        }
        var summary = "\(evaluations(total)) in \(span)"
        if total > 0, let busiest = series.totals.indices.max(by: { series.totals[$0] < series.totals[$1] }) {
            let parts = shown.map { "\($0.key) \(ConsoleFormat.count($0.total))" }
            summary += " (\(parts.joined(separator: ", ")))"
            summary += "; the busiest \(unit), \(label(busiest))\(week ? "" : " UTC"), had \(ConsoleFormat.count(series.totals[busiest]))."
        } else {
            summary += "."
        }
        let dayURL = flagURL + "#usage"
        let weekURL = flagURL + "&usage=week#usage"
        return [
            "usageHasData": total > 0, "usageBars": bars, "usageTicks": ticks, "usageWidth": series.points.count * slot,
            "usageHeight": plotHeight + axisHeight, "usageAxisY": plotHeight + axisHeight - 3,
            "usageSummary": summary, "usageSpan": span, "usageUnit": week ? "Day (UTC)" : "Hour (UTC)",
            "usageTitle": week ? "Evaluations per day and variant" : "Evaluations per hour and variant",
            "usageLegend": shown.map { ["key": $0.key, "class": colour[$0.key] ?? "s0"] },
            "usageColumns": shown.map { ["key": $0.key] }, "usageRows": rows,
            "usageWindows": [
                ["label": "Day", "url": dayURL, "current": !week],
                ["label": "Week", "url": weekURL, "current": week],
            ],
            "usageWindow": series.window.rawValue,
            "usageHasVariants": !variants.isEmpty, "usageVariants": variants,
        ]
    }

    private static func evaluations(_ n: Int64) -> String { "\(ConsoleFormat.count(n)) evaluation\(n == 1 ? "" : "s")" }

    /// An SVG length with one decimal (`12.5`).
    private static func unit(_ value: Double) -> String { String(format: "%.1f", max(0, value)) }

    /// `14:00`: an hour's start in UTC.
    static func hour(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let hour = ((seconds % 86_400) + 86_400) % 86_400 / 3_600
        return (hour < 10 ? "0" : "") + "\(hour):00"
    }

    /// `Mon 7 Dec`: a day in UTC.
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.weekday, .day, .month], from: date)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = months[((parts.month ?? 1) - 1) % 12]
        return "\(weekday) \(parts.day ?? 1) \(month)"
    }
}
