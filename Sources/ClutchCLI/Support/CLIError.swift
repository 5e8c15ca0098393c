/// A command failed. The message is printed as one line on stderr (`error: …`) and the
/// process exits with 1 (refused or failed) or 2 (usage).
struct CLIError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case usage
        case failed
    }

    private let kind: Kind
    /// What went wrong, without the `error: ` prefix.
    let message: String
    /// What to do about it, if something helps.
    let hint: String?

    private init(_ kind: Kind, _ message: String, hint: String?) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    /// The command line was wrong (exit code 2).
    static func usage(_ message: String, hint: String? = nil) -> CLIError {
        CLIError(.usage, message, hint: hint)
    }

    /// The request was refused or could not be carried out (exit code 1).
    static func failed(_ message: String, hint: String? = nil) -> CLIError {
        CLIError(.failed, message, hint: hint)
    }

    /// The process exit code for this error.
    var exitCode: Int32 { kind == .usage ? 2 : 1 }

    /// The single line written to stderr.
    var description: String {
        let line = hint.map { "error: \(message) (\($0))" } ?? "error: \(message)"
        // One line, whatever the server or a file said.
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
