import ClutchCore

/// `--where` conditions: ClutchCore's ``WhereParser`` (the grammar the console uses too), its
/// problems reported as the CLI's one-line errors.
enum WhereOption {
    /// The clause `text` describes; a failed error `--where 'text': problem` otherwise.
    static func parse(_ text: String) throws -> Clause {
        do {
            return try WhereParser.parse(text)
        } catch {
            throw CLIError.failed("--where \(error.issues.first?.message ?? error.description)")
        }
    }
}
