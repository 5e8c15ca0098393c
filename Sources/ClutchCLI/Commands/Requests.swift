import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch requests list|show|approve|decline|comment|apply|cancel`: change requests of
/// protected environments.
struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Review and apply change requests of protected environments.",
        discussion: """
            A change that widens exposure in a protected environment ('clutch envs protect') opens a change request \
            instead of applying: the change commands (on, rollout, target, …) do so and print its number. Others approve \
            it; then 'clutch requests apply N' makes the change, provided it still makes the change they approved.
            """,
        subcommands: [
            RequestsList.self, RequestsShow.self, RequestsApprove.self, RequestsDecline.self, RequestsComment.self,
            RequestsApply.self, RequestsCancel.self,
        ],
        defaultSubcommand: RequestsList.self)

    /// Opens a request for `instructions` after a direct change was refused `review_required`,
    /// says so and ends the command successfully (``CLIError/handled``); any other error is
    /// rethrown.
    static func openInstead(
        of error: any Error, client: AdminClient, key: String, environment: String, instructions: [Instruction], message: String?,
        json: Bool
    ) async throws -> Never {
        try await openInstead(
            of: error, client: client, ChangeRequestCreate(flag: key, environment: environment, instructions: instructions, message: message),
            json: json)
    }

    /// ``openInstead(of:client:key:environment:instructions:message:json:)`` for any request (a cohort's members too).
    static func openInstead(of error: any Error, client: AdminClient, _ request: ChangeRequestCreate, json: Bool) async throws -> Never {
        guard let refusal = error as? CLIError, refusal.code == "review_required" else { throw error }
        let response = try await client.send("POST", ["change-requests"], json: request, message: request.message)
        if json {
            Output.json(try response.json())
        } else {
            let record = try response.decode(ChangeRequestRecord.self)
            let approvals = record.requiredApprovals == 1 ? "1 approval" : "\(record.requiredApprovals) approvals"
            Output.text("Change request \(record.id) opened: needs \(approvals) ('clutch requests approve \(record.id)')")
        }
        throw CLIError.handled
    }

    static func summary(_ record: ChangeRequestRecord) -> String {
        "\(record.id): \(record.status.rawValue) — \(record.cohort.map { "cohort \($0)" } ?? record.flag) in \(record.environment), "
            + "\(record.approvals)/\(record.requiredApprovals) approvals, by \(Output.printable(record.createdBy))"
    }
}

struct RequestsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List change requests, newest first.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("Only these: open, approved, applied, declined, cancelled or failed.", valueName: "status")) var status: String?
    @Option(help: ArgumentHelp("Only those of this flag.", valueName: "key")) var flag: String?

    func run() async throws {
        var query: [(String, String)] = []
        if let status { query.append(("status", status)) }
        if let flag { query.append(("flag", flag)) }
        let response = try await connection.client().send("GET", ["change-requests"], query: query)
        if connection.json { return Output.json(try response.json()) }
        let requests = try response.decode(ChangeRequestList.self).requests
        if requests.isEmpty { return Output.text("No change requests.") }
        var table = Table(["ID", "STATUS", "FLAG", "ENVIRONMENT", "APPROVALS", "BY", "MESSAGE"])
        for request in requests {
            table.add([
                "\(request.id)", request.status.rawValue, request.cohort.map { "cohort \($0)" } ?? request.flag, request.environment,
                "\(request.approvals)/\(request.requiredApprovals)", Output.printable(request.createdBy),
                Output.printable(request.reason ?? request.message ?? ""),
            ])
        }
        Output.text(table.render())
    }
}

struct RequestsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a change request: its diff and reviews.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The request's number.") var id: Int64

    func run() async throws {
        let response = try await connection.client().send("GET", ["change-requests", "\(id)"])
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(ChangeRequestRecord.self)
        var lines = [RequestsCommand.summary(record)]
        if let message = record.message { lines.append("  \(Output.printable(message))") }
        lines.append("  against revision \(record.baseRevision):")
        for change in record.diff { lines.append("    \(change.path): \(change.beforeText) → \(change.afterText)") }
        for review in record.reviews {
            let comment = review.comment.map { ": \(Output.printable($0))" } ?? ""
            lines.append("  \(review.verdict.rawValue) by \(Output.printable(review.reviewer))\(comment)\(review.withdrawn ? " (withdrawn)" : "")")
        }
        if let reason = record.reason { lines.append(Style.yellow("  \(reason)")) }
        if let revision = record.appliedRevision { lines.append("  applied as revision \(revision)") }
        Output.text(lines.joined(separator: "\n"))
    }
}

/// Sends one review.
enum RequestReview {
    static func send(_ verdict: ReviewVerdict, id: Int64, comment: String?, connection: ConnectionOptions) async throws {
        let response = try await connection.client().send(
            "POST", ["change-requests", "\(id)", "reviews"], json: ChangeRequestReviewCreate(verdict: verdict, comment: comment))
        if connection.json { return Output.json(try response.json()) }
        Output.text(RequestsCommand.summary(try response.decode(ChangeRequestRecord.self)))
    }
}

struct RequestsApprove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a change request.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The request's number.") var id: Int64
    @Option(name: [.customShort("m"), .customLong("message")], help: ArgumentHelp("A comment.", valueName: "text")) var comment: String?

    func run() async throws { try await RequestReview.send(.approve, id: id, comment: comment, connection: connection) }
}

struct RequestsDecline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decline", abstract: "Decline a change request: it cannot be applied until you approve it or it is edited.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The request's number.") var id: Int64
    @Option(name: [.customShort("m"), .customLong("message")], help: ArgumentHelp("Why.", valueName: "text")) var comment: String?

    func run() async throws { try await RequestReview.send(.decline, id: id, comment: comment, connection: connection) }
}

struct RequestsComment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "comment", abstract: "Comment on a change request.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The request's number.") var id: Int64
    @Argument(help: "The comment.") var comment: String

    func run() async throws { try await RequestReview.send(.comment, id: id, comment: comment, connection: connection) }
}

struct RequestsApply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply an approved change request.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The request's number.") var id: Int64

    func run() async throws {
        let response = try await connection.client().send("POST", ["change-requests", "\(id)", "apply"], message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(ChangeRequestRecord.self)
        let subject = record.cohort.map { "cohort \($0)" } ?? record.flag
        Output.text("Applied change request \(record.id) to \(subject) in \(record.environment) (revision \(record.appliedRevision ?? 0)).")
    }
}

struct RequestsCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a change request.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The request's number.") var id: Int64

    func run() async throws {
        let response = try await connection.client().send("POST", ["change-requests", "\(id)", "cancel"], message: change.message)
        if connection.json { return Output.json(try response.json()) }
        Output.text("Cancelled change request \(try response.decode(ChangeRequestRecord.self).id).")
    }
}
