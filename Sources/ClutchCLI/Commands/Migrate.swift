import ArgumentParser
import ClutchStore
import Foundation
import Logging

/// `clutch migrate`: brings a database's schema up to this release explicitly, before replicas
/// start (they also migrate when they start, under the same lock).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database's schema up to this release (SQLite file or PostgreSQL).",
        discussion: """
            PostgreSQL migrations run under an advisory lock, so replicas starting together \
            migrate once; they only add to the schema, so the previous release keeps running beside \
            the new one during a rolling upgrade. Give the password through PGPASSWORD or \
            CLUTCH_DB_PASSWORD_FILE, never on the command line.
            """)

    @Option(help: ArgumentHelp(
        "A postgres://user@host:port/database URL or a SQLite file (or CLUTCH_DB; default ./clutch.db).", valueName: "url-or-path"))
    var db: String?

    @OptionGroup var databaseWait: DatabaseWaitOption

    @ArgumentParser.Flag(help: "List the migrations that would run, and change nothing.")
    var dryRun = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let connectTimeout = try databaseWait.timeout(environment)
        let target = [db, environment["CLUTCH_DB"]].compactMap { $0 }.first { !$0.isEmpty } ?? "./clutch.db"
        let pending: [String]
        let shown: String
        do {
            if PostgresAddress.isPostgres(target) {
                let address = try PostgresAddress(url: target, environment: environment)
                shown = address.description
                var logger = Logger(label: "clutch.migrate")
                logger.logLevel = .error
                let outcome = try await PostgresStore.migrate(
                    address, dryRun: dryRun, connectTimeout: connectTimeout, logger: logger)
                pending = outcome.migrations
            } else {
                shown = target
                pending = try FlagStore.migrate(path: target, dryRun: dryRun)
            }
        } catch let error as PostgresStoreError {
            throw CLIError.failed("\(error)")
        } catch {
            throw CLIError.failed("cannot migrate \(PostgresAddress.redacted(target)): \(error)")
        }
        if pending.isEmpty {
            Terminal.out("\(shown) is up to date.\n")
        } else {
            let verb = dryRun ? "Would apply" : "Applied"
            Terminal.out("\(verb) \(pending.count) migration\(pending.count == 1 ? "" : "s") to \(shown): \(pending.joined(separator: ", "))\n")
        }
    }
}
