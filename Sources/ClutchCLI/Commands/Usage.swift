import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch usage KEY --env E [--window day|week]`: a flag's evaluations per variant over the last
/// day (per hour) or week (per day, UTC), and when each variant was last evaluated.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Show a flag's evaluations per variant over the last day (per hour) or week (per day, UTC), and when each variant was last evaluated.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @Argument(help: "The flag's key.") var key: String

    @Option(help: ArgumentHelp("day (24 hourly points) or week (7 daily points, UTC).", valueName: "window"))
    var window: String = UsageWindow.day.rawValue

    func run() async throws {
        let env = try environment.required()
        guard let window = UsageWindow(rawValue: window) else {
            throw CLIError.usage("--window must be one of \(UsageWindow.names), got '\(window)'", hint: "e.g. --window week")
        }
        let response = try await connection.client().send(
            "GET", ["flags", key, "usage"], query: [("environment", env), ("window", window.rawValue)])
        if connection.json { return Output.json(try response.json()) }
        Output.text(Self.render(try response.decode(UsageSeries.self)))
    }

    /// The points as a table (one column per variant with evaluations, and the total), then per
    /// variant its evaluations in the window, since first reported, and when last evaluated.
    static func render(_ series: UsageSeries) -> String {
        let week = series.window == .week
        let span = week ? "the last 7 days (UTC)" : "the last 24 hours"
        let name = Output.printable(series.flag)
        guard series.total > 0 || series.variants.contains(where: { $0.lastEvaluated != nil }) else {
            return "Nothing evaluated \(name) in \(series.environment) in \(span)."
        }
        var lines = ["\(name) in \(series.environment): \(series.total) evaluation\(series.total == 1 ? "" : "s") in \(span)."]
        let shown = series.variants.filter { $0.total > 0 }
        if series.total > 0 {
            var points = Table([week ? "DAY" : "HOUR (UTC)"] + shown.map { Output.printable($0.key).uppercased() } + ["TOTAL"])
            for (index, start) in series.points.enumerated() {
                let time = Output.time(start)
                points.add([String(time.prefix(week ? 10 : 16))] + shown.map { String($0.evaluations[index]) } + [String(series.totals[index])])
            }
            lines += ["", points.render()]
        }
        var variants = Table(["VARIANT", week ? "LAST 7 DAYS" : "LAST 24 HOURS", "SINCE FIRST REPORTED", "LAST EVALUATED"])
        for variant in series.variants {
            variants.add([Output.printable(variant.key), String(variant.total), String(variant.allTime), Output.time(variant.lastEvaluated)])
        }
        lines += ["", variants.render()]
        return lines.joined(separator: "\n")
    }
}
