import ArgumentParser
import Foundation

/// The `clutch` command: runs the server and drives it through the admin API.
@main
struct Clutch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clutch",
        abstract: "Clutch feature flags: toggle, target, roll out, roll back.",
        discussion: """
            Server and token: --server/CLUTCH_URL and --token/CLUTCH_TOKEN, else the config file \
            written by 'clutch serve' or 'clutch login' ($CLUTCH_CONFIG, else \
            $XDG_CONFIG_HOME/clutch/config.json, else ~/.config/clutch/config.json).
            Environment-scoped commands need --env NAME or CLUTCH_ENV.

            Exit codes: 0 success; 1 refused or failed (validation, not found, conflict, server \
            unreachable); 2 usage (unknown option, missing argument, no environment given).
            """,
        version: ClutchVersion.current,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, Login.self, Status.self,
            Flags.self, On.self, Off.self, Kill.self, RolloutCommand.self,
            TargetCommand.self, Untarget.self, Rules.self, Prerequisites.self, Cohorts.self,
            ReleaseCommand.self, History.self, Diff.self, Rollback.self, Explain.self,
            Export.self, Import.self, Keys.self, Audit.self, ScheduleCommand.self, WebhooksCommand.self,
            Users.self, Tokens.self,
            Refs.self, Generate.self, UsageCommand.self,
            CleanupCommand.self,
            EnvsCommand.self, RequestsCommand.self,
            Block.self, Unblock.self, BlocksCommand.self,
        ]
    )

    /// Runs the command and maps every failure to one line on stderr and exit code 1
    /// (refused or failed) or 2 (usage), instead of ArgumentParser's 64 with the usage text.
    static func main() async {
        let arguments = GlobalOptions.hoisted(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            if error.exitCode != 0 { Terminal.error(error.description) }
            Terminal.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Terminal.out(fullMessage(for: error) + "\n")
                Terminal.exit(0)
            }
            let message = Self.message(for: error)
            if code == .validationFailure {
                // A misspelled command: say which, and what was probably meant.
                if let unknown = CommandSuggestion.error(for: arguments) {
                    Terminal.error(unknown.description)
                    Terminal.exit(2)
                }
                // ArgumentParser's own usage errors: one line, pointing at the command's help.
                Terminal.error(CLIError.usage(message, hint: helpHint(for: error)).description)
                Terminal.exit(2)
            }
            if !message.isEmpty { Terminal.error(CLIError.failed(message).description) }
            Terminal.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }

    /// "see 'clutch on --help'", taken from the "See '…' for more information." line of
    /// ArgumentParser's full message, so it names the subcommand that failed.
    private static func helpHint(for error: any Error) -> String? {
        guard let line = fullMessage(for: error).split(separator: "\n").last(where: { $0.contains("--help") }),
            let start = line.firstIndex(of: "'"), let end = line.lastIndex(of: "'"), start < end
        else { return nil }
        return "see \(line[start...end])"
    }
}
