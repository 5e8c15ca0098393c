import ClutchAPI
import ClutchCore
import Foundation

/// Changes one environment's state of a flag: read the flag, make the edit locally (to check
/// it and to report what it changes), and send it as instructions (`POST …/changes`), which the
/// server applies to the flag as it is then. An edit therefore composes with others made
/// meanwhile (two people targeting different customers both land) and never overwrites them;
/// `--if-revision` still refuses it unless the flag is at that revision.
struct FlagEditor {
    let client: AdminClient
    /// With a time (`--at`), the edit's instructions are scheduled for then instead of applied.
    var at: Date? = nil
    /// Whether a change request opened instead of the change is reported as JSON (`--json`).
    var json = false

    /// The outcome of an edit.
    struct Outcome {
        /// The flag as written (or as read, when nothing changed).
        var record: FlagRecord
        /// The server's answer as JSON (for `--json`).
        var json: Value
        /// Whether a new revision was written.
        var changed: Bool
        /// The state before the edit.
        var before: FlagState
        /// The schedule made instead of the change (`--at`).
        var scheduled: ScheduleRecord? = nil
    }

    /// Reads a flag.
    func read(_ key: String) async throws -> (FlagRecord, Value) {
        let response = try await client.send("GET", ["flags", key])
        return (try response.decode(FlagRecord.self), try response.json())
    }

    /// Applies `change` to `key`'s state in `environment`.
    /// With `ifRevision`, nothing changes unless the flag is still at that revision.
    func edit(
        _ key: String, environment: String, message: String?, ifRevision: Int64? = nil,
        _ change: (Flag, inout FlagState) throws -> Void
    ) async throws -> Outcome {
        let (record, json) = try await read(key)
        try FlagEditor.check(record, ifRevision: ifRevision)
        let before = record.flag.state(in: environment)
        var state = before
        try change(record.flag, &state)
        if state == before {
            return Outcome(record: record, json: json, changed: false, before: before)
        }
        var flag = record.flag
        flag.environments[environment] = state
        if let issue = flag.validationIssues().first {
            throw CLIError.failed(issue.description)
        }
        let instructions = before.instructions(to: state, naturalDefault: record.flag.naturalDefault)
        if instructions.isEmpty {  // only an order that evaluation does not depend on changed
            return Outcome(record: record, json: json, changed: false, before: before)
        }
        if let at {
            if ifRevision != nil { throw CLIError.usage("--if-revision cannot be combined with --at: the flag may change before then") }
            let (schedule, json) = try await Scheduling.send(
                client, key: key, environment: environment, instructions: instructions, at: at, message: message)
            return Outcome(record: record, json: json, changed: true, before: before, scheduled: schedule)
        }
        let response: AdminClient.Response
        do {
            response = try await client.send(
                "POST", ["flags", key, "environments", environment, "changes"], json: FlagChanges(instructions: instructions),
                ifMatch: ifRevision, message: message)
        } catch {
            // In a protected environment: the same instructions, as a change request.
            try await RequestsCommand.openInstead(
                of: error, client: client, key: key, environment: environment, instructions: instructions, message: message,
                json: self.json)
        }
        return Outcome(
            record: try response.decode(FlagRecord.self), json: try response.json(), changed: true, before: before)
    }

    /// A conflict unless `record` is at `ifRevision` (when given).
    static func check(_ record: FlagRecord, ifRevision: Int64?) throws {
        if let ifRevision, ifRevision != record.revision {
            throw CLIError.failed(
                "conflict: flag '\(record.flag.key)' is at revision \(record.revision), not \(ifRevision)", hint: AdminClient.conflictHint)
        }
    }

    /// The variant `name` of `flag`, or a failed error listing the flag's variants.
    static func variant(_ name: String, of flag: Flag) throws -> String {
        guard flag.variant(name) != nil else {
            throw CLIError.failed(
                "unknown variant '\(name)' (this flag has: \(flag.variants.map(\.key).sorted().joined(separator: ", ")))")
        }
        return name
    }

    /// The variant targeting serves when `--serve` is not given: `on` for boolean flags,
    /// otherwise the flag's natural default.
    static func defaultServeVariant(of flag: Flag) -> String { flag.targetingVariant }
}
