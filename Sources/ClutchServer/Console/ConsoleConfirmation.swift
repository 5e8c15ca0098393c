import Foundation

/// The one rule for typed confirmations on the console, checked by the server on every change
/// (console.js only keeps buttons disabled until the right word is typed):
/// - a change in one protected environment (`production`) needs the environment's name typed;
/// - a change of every environment at once (the kill switch, restoring the whole flag) needs
///   the flag's key typed, as LaunchDarkly asks for the flag key before an all-environment action.
/// The word goes in the form field ``field``.
enum ConsoleConfirmation {
    /// The form field the word is typed in.
    static let field = "confirm"
    /// Environments whose changes need their name typed.
    static let protectedEnvironments: Set<String> = ["production"]

    /// What a change applies to.
    enum Scope {
        /// One environment.
        case environment(String)
        /// Every environment of the flag `key`.
        case everyEnvironment(flag: String)
    }

    static func isProtected(_ environment: String) -> Bool { protectedEnvironments.contains(environment) }

    /// The word to type for a change of `scope`; `nil` when none is needed.
    static func word(for scope: Scope) -> String? {
        switch scope {
        case .environment(let env): return isProtected(env) ? env : nil
        case .everyEnvironment(let key): return key
        }
    }

    /// `nil` when `form` confirms a change of `scope`; otherwise the refusal's message, naming
    /// the field and the word to type.
    static func refusal(_ form: [String: String], scope: Scope) -> String? {
        guard let word = word(for: scope) else { return nil }
        if form[field]?.trimmingCharacters(in: .whitespaces) == word { return nil }
        switch scope {
        case .environment:
            return "To change \(word), type its name, “\(word)”, in the confirmation field (“\(field)”)."
        case .everyEnvironment:
            return "This changes every environment: type the flag's key, “\(word)”, in the confirmation field (“\(field)”)."
        }
    }
}
