import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `--at TIME`: schedule the command's change instead of applying it now. Every command that
/// changes a flag or cohort through instructions takes it.
struct ScheduleOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Apply the change later instead of now: an RFC 3339 time (2026-12-01T09:00:00Z) or a delay from now (+2h, +30m, +10s, +1d, +1h30m).",
        valueName: "time"))
    var at: String?

    /// The time `--at` names, or `nil` without it.
    func date(now: Date = Date()) throws -> Date? {
        guard let at else { return nil }
        guard let date = ScheduleTime.parse(at, now: now) else {
            throw CLIError.usage("--at must be an RFC 3339 time such as 2026-12-01T09:00:00Z or a delay such as +2h, got '\(at)'")
        }
        guard date > now else { throw CLIError.usage("--at must be in the future, got '\(at)'") }
        return date
    }
}

/// Times as `--at` accepts them.
enum ScheduleTime {
    /// An RFC 3339 time, or `+` and one or more `<number><unit>` (units `s`, `m`, `h`, `d`).
    static func parse(_ text: String, now: Date) -> Date? {
        guard text.hasPrefix("+") else { return Timestamp.parse(text) }
        var seconds = 0.0
        var number = ""
        for character in text.dropFirst() {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch character {
            case "s": seconds += value
            case "m": seconds += value * 60
            case "h": seconds += value * 3600
            case "d": seconds += value * 86400
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty, seconds > 0 else { return nil }
        return now.addingTimeInterval(seconds)
    }

    /// `in 2 h 5 min` style distance from now, for people.
    static func distance(to date: Date, now: Date = Date()) -> String {
        let seconds = Int(date.timeIntervalSince(now).rounded())
        if seconds < 0 { return "\(-seconds) s ago" }
        if seconds < 120 { return "in \(seconds) s" }
        if seconds < 7200 { return "in \(seconds / 60) min" }
        if seconds < 172_800 { return "in \(seconds / 3600) h \(seconds % 3600 / 60) min" }
        return "in \(seconds / 86400) days"
    }
}

/// Sends a change as a schedule (`POST /api/v1/schedules`) and reports it.
enum Scheduling {
    /// Schedules `instructions` for flag `key` (or cohort `key` when `cohort`); returns the
    /// server's record and its JSON.
    static func send<I: Encodable>(
        _ client: AdminClient, cohort: Bool = false, key: String, environment: String, instructions: [I], at: Date, message: String?
    ) async throws -> (ScheduleRecord, Value) {
        // As JSON values: a schedule holds flag or member instructions, as its key's kind says.
        let values: [Value]
        do {
            values = try ClutchJSON.decode([Value].self, from: ClutchJSON.encode(instructions))
        } catch {
            throw CLIError.failed("cannot encode the request: \(error)")
        }
        let body = ScheduleCreate(
            flag: cohort ? nil : key, cohort: cohort ? key : nil, environment: environment, instructions: values,
            at: Timestamp.format(at), message: message)
        let response = try await client.send("POST", ["schedules"], json: body)
        return (try response.decode(ScheduleRecord.self), try response.json())
    }

    /// `--json`: the record; otherwise one line naming the schedule and when it fires.
    static func report(_ record: ScheduleRecord, json: Value, asJSON: Bool) {
        if asJSON { return Output.json(json) }
        let when = " (\(ScheduleTime.distance(to: record.at)))"
        let what = record.instructions.compactMap { $0["kind"]?.stringValue }.joined(separator: ", ")
        Output.text(
            "Scheduled \(record.id): \(what) on \(record.kind) \(record.key) in \(record.environment) at \(Output.rfc3339(record.at))\(when). "
                + "Cancel with 'clutch schedule cancel \(record.id)'.")
    }
}
