import ClutchCore

/// People count rules from 1; the engine from 0.
enum RuleNumber {
    static func index(_ number: Int, in state: FlagState, insertion: Bool) throws -> Int {
        let count = state.rules.count
        let last = insertion ? count + 1 : count
        guard number >= 1, number <= last else {
            if count == 0, !insertion { throw CLIError.failed("there are no rules here") }
            throw CLIError.failed("there is no rule \(number): use 1–\(last)", hint: "'clutch rules KEY --env ENV' lists them")
        }
        return number - 1
    }
}
