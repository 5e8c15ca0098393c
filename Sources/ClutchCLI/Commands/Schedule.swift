import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch schedule list|show|cancel`: changes scheduled with `--at`.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "List, show and cancel scheduled changes (made with --at).",
        discussion: """
            Any command that changes a flag or a cohort's members takes --at TIME (RFC 3339 or +2h); the server \
            applies the change then, as 'clutch-scheduler' with the author named in the message. A schedule \
            whose change no longer applies is marked failed (and the schedule.failed webhook event is sent).
            """,
        subcommands: [ScheduleList.self, ScheduleShow.self, ScheduleCancel.self])
}

struct ScheduleList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List scheduled changes, soonest first.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("Only these: pending, applied, failed or cancelled.", valueName: "status")) var status: String?
    @Option(help: ArgumentHelp("Only those of this flag or cohort.", valueName: "key")) var key: String?
    @ArgumentParser.Flag(help: "Include applied, failed and cancelled ones (default: pending only).") var all = false

    func run() async throws {
        var query: [(String, String)] = []
        if let status { query.append(("status", status)) } else if !all { query.append(("status", "pending")) }
        if let key { query.append(("key", key)) }
        let response = try await connection.client().send("GET", ["schedules"], query: query)
        if connection.json { return Output.json(try response.json()) }
        let schedules = try response.decode(ClutchAPI.ScheduleList.self).schedules
        if schedules.isEmpty { return Output.text("No scheduled changes. Schedule one with --at, e.g. 'clutch on KEY --env ENV --at +2h'.") }
        var table = Table(["ID", "AT", "STATUS", "CHANGE", "BY", "NOTE"])
        for schedule in schedules {
            let what = schedule.instructions.compactMap { $0["kind"]?.stringValue }.joined(separator: ",")
            let status = switch schedule.status {
            case .failed: Style.red(schedule.status.rawValue)
            case .applied: Style.green(schedule.status.rawValue)
            default: schedule.status.rawValue
            }
            table.add([
                schedule.id, Output.time(schedule.at), status, "\(schedule.kind) \(schedule.key) in \(schedule.environment): \(what)",
                schedule.createdBy, schedule.error ?? schedule.note ?? schedule.message ?? "",
            ])
        }
        Output.text(table.render())
    }
}

struct ScheduleShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one scheduled change.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The schedule's id (sch_…).") var id: String

    func run() async throws {
        let response = try await connection.client().send("GET", ["schedules", id])
        if connection.json { return Output.json(try response.json()) }
        let schedule = try response.decode(ScheduleRecord.self)
        var lines = [
            "\(schedule.id): \(schedule.status) — \(schedule.kind) \(schedule.key) in \(schedule.environment) at \(Output.rfc3339(schedule.at))",
            "  scheduled by \(Output.printable(schedule.createdBy))\(schedule.message.map { ": \(Output.printable($0))" } ?? "")",
        ]
        for instruction in schedule.instructions { lines.append("  \(instruction.jsonText)") }
        if let revision = schedule.revision { lines.append("  applied as revision \(revision) at \(schedule.finishedAt.map(Output.rfc3339) ?? "-")") }
        if let note = schedule.note { lines.append("  note: \(note)") }
        if let error = schedule.error { lines.append(Style.red("  failed: \(error)")) }
        Output.text(lines.joined(separator: "\n"))
    }
}

struct ScheduleCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a pending scheduled change.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The schedule's id (sch_…).") var id: String

    func run() async throws {
        let response = try await connection.client().send("DELETE", ["schedules", id], message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let schedule = try response.decode(ScheduleRecord.self)
        Output.text("Cancelled \(schedule.id) (\(schedule.kind) \(schedule.key) in \(schedule.environment) at \(Output.rfc3339(schedule.at))).")
    }
}
