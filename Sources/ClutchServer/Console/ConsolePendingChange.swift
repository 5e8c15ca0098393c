import ClutchCore
import Foundation

/// The edits collected on a flag page before they are applied: one pending change per page
/// (one environment), one message and one confirmation for all of them.
///
/// It travels with the page as a hidden form field (``field``), so the server keeps no state
/// between edits and a closed tab leaves nothing half-done. It holds the environment's state
/// as the edits began (`base`) and as they make it (`state`); what is applied is the
/// instructions between the two (``FlagState/instructions(to:naturalDefault:)``), against the
/// flag as it is then, so a change someone else made meanwhile stays. The field is as
/// untrusted as any form field: it only ever becomes instructions that pass the same policy
/// check and store validation as the API's.
struct ConsolePendingChange: Codable, Sendable, Equatable {
    /// The form field that carries it.
    static let field = "pending"

    /// The environment's state when the edits began.
    var base: FlagState
    /// The state the edits make of it.
    var state: FlagState

    /// What applying it means: the instructions from `base` to `state`.
    func instructions(naturalDefault: Serve) -> [Instruction] {
        base.instructions(to: state, naturalDefault: naturalDefault)
    }

    /// The pending change a form carries; `nil` when it carries none (or an empty field).
    /// A field that does not decode is refused rather than ignored: applying less than the
    /// page showed would be losing an acknowledged edit.
    static func from(_ form: [String: String]) throws(ConsoleEdit.Refusal) -> ConsolePendingChange? {
        guard let text = form[field], !text.isEmpty else { return nil }
        guard let pending = try? ClutchJSON.decode(ConsolePendingChange.self, from: Data(text.utf8)) else {
            throw ConsoleEdit.Refusal(field: "apply", message: "The pending change could not be read: reload the flag and make the edits again.")
        }
        return pending
    }

    /// The JSON text of the hidden field.
    var encoded: String {
        (try? ClutchJSON.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
