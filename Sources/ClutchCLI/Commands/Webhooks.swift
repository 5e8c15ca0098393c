import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch webhooks create|list|delete|deliveries`.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Send signed events (flag.changed, release.*, schedule.failed) to your URLs.",
        discussion: "Each delivery is signed: see docs/webhooks.md for the event format and how to verify it.",
        subcommands: [WebhooksCreate.self, WebhooksList.self, WebhooksDelete.self, WebhooksDeliveries.self])
}

struct WebhooksCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Add a webhook.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Option(help: ArgumentHelp("Where to POST events (http or https).", valueName: "url")) var url: String
    @Option(help: ArgumentHelp(
        "Event types, comma-separated: flag.changed, release.step, release.rolled_back, release.paused, schedule.failed (default: all).",
        valueName: "types"))
    var events: String?
    @Option(help: ArgumentHelp(
        "The shared secret deliveries are signed with (16–256 characters; or CLUTCH_WEBHOOK_SECRET). It is never shown again.",
        valueName: "secret"))
    var secret: String?
    @Option(help: ArgumentHelp("What it is for.", valueName: "text")) var description: String?

    func run() async throws {
        guard let secret = secret ?? ProcessInfo.processInfo.environment["CLUTCH_WEBHOOK_SECRET"], !secret.isEmpty else {
            throw CLIError.usage("give the signing secret: --secret S (or CLUTCH_WEBHOOK_SECRET)", hint: "e.g. --secret \"$(openssl rand -hex 32)\"")
        }
        let types = events.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let response = try await connection.client().send(
            "POST", ["webhooks"], json: WebhookCreate(url: url, events: types, secret: secret, description: description), message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(WebhookRecord.self)
        Output.text("Created webhook \(record.id) → \(record.url) for \(record.events.map(\.rawValue).joined(separator: ", ")) (secret \(record.secretHint)).")
    }
}

struct WebhooksList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List webhooks (never their secrets).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let response = try await connection.client().send("GET", ["webhooks"])
        if connection.json { return Output.json(try response.json()) }
        let webhooks = try response.decode(WebhookList.self).webhooks
        if webhooks.isEmpty { return Output.text("No webhooks. Add one with 'clutch webhooks create --url URL --secret S'.") }
        var table = Table(["ID", "URL", "EVENTS", "SECRET", "PENDING"])
        for webhook in webhooks {
            table.add([webhook.id, webhook.url, webhook.events.map(\.rawValue).joined(separator: ","), webhook.secretHint, String(webhook.pendingDeliveries)])
        }
        Output.text(table.render())
    }
}

struct WebhooksDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a webhook and its pending deliveries.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The webhook's id (wh_…).") var id: String

    func run() async throws {
        _ = try await connection.client().send("DELETE", ["webhooks", id], message: change.message)
        if connection.json { return Output.json(["deleted": .string(id)]) }
        Output.text("Deleted webhook \(id).")
    }
}

struct WebhooksDeliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "A webhook's latest deliveries and their attempts.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("How many (1–500, default 50).", valueName: "n")) var limit: Int?
    @Argument(help: "The webhook's id (wh_…).") var id: String

    func run() async throws {
        let response = try await connection.client().send(
            "GET", ["webhooks", id, "deliveries"], query: limit.map { [("limit", String($0))] } ?? [])
        if connection.json { return Output.json(try response.json()) }
        let deliveries = try response.decode(WebhookDeliveryList.self).deliveries
        if deliveries.isEmpty { return Output.text("No deliveries yet for \(id).") }
        var table = Table(["ID", "EVENT", "TYPE", "STATUS", "ATTEMPTS", "LAST", "NEXT"])
        for delivery in deliveries {
            let last = delivery.attempts.last.map { attempt in
                attempt.statusCode.map { "HTTP \($0)" } ?? (attempt.error.map { String($0.prefix(60)) } ?? "-")
            } ?? "-"
            let status = delivery.status == .failed ? Style.red(delivery.status.rawValue) : delivery.status.rawValue
            table.add([
                String(delivery.id), delivery.eventId, delivery.type, status, String(delivery.attempts.count), last,
                delivery.status == .pending ? Output.time(delivery.nextAttemptAt) : "-",
            ])
        }
        Output.text(table.render())
    }
}
