/// A command failed. The message is printed as one line on stderr (`error: …`) and the
/// process exits with 1 (refused or failed) or 2 (usage).
struct CLIError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case usage
        case failed
        case handled
    }

    private let kind: Kind
    /// What went wrong, without the `error: ` prefix.
    let message: String
    /// What to do about it, if something helps.
    let hint: String?
    /// The server's error code (`review_required`, `conflict`, …) when the server refused.
    let code: String?

    private init(_ kind: Kind, _ message: String, hint: String?, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.code = code
    }

    /// The command line was wrong (exit code 2).
    static func usage(_ message: String, hint: String? = nil) -> CLIError {
        CLIError(.usage, message, hint: hint)
    }

    /// The request was refused or could not be carried out (exit code 1).
    static func failed(_ message: String, hint: String? = nil) -> CLIError {
        CLIError(.failed, message, hint: hint)
    }

    /// The server refused with `code` (exit code 1).
    static func refused(_ message: String, hint: String? = nil, code: String) -> CLIError {
        CLIError(.failed, message, hint: hint, code: code)
    }

    /// The command did what it could instead and said so (a change request opened for a
    /// change that needs review): exit code 0, nothing more printed.
    static let handled = CLIError(.handled, "", hint: nil)

    /// The process exit code for this error.
    var exitCode: Int32 {
        switch kind {
        case .usage: 2
        case .failed: 1
        case .handled: 0
        }
    }

    /// The single line written to stderr.
    var description: String {
        let line = hint.map { "error: \(message) (\($0))" } ?? "error: \(message)"
        // One line, whatever the server or a file said.
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
