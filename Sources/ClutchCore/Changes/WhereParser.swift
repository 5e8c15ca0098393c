/// Reads rule conditions written as text (the CLI's `--where`, the console's rule form) into
/// engine clauses, so that both accept exactly the same grammar. The syntax is
/// `[not] ATTRIBUTE OPERATOR VALUE[,VALUE…]`, `[not] in cohort NAME` or `[not] ATTRIBUTE exists`,
/// with every ``Operator`` spelling (`in`, `startsWith`, `semver>=`, `after`, …) and the
/// aliases `=`/`==`/`is` (in), `!=` and `ATTRIBUTE not in …` (negated in).
public enum WhereParser {
    /// The grammar, for `--help` (generated from ``Operator`` so it lists what the engine knows).
    public static let help = """
        A --where condition is one of:
          ATTRIBUTE OPERATOR VALUE[,VALUE…]  'plan in enterprise,pro'
          ATTRIBUTE exists                   'email exists'
          in cohort NAME                     'in cohort beta'
        Put 'not' in front to negate: 'not country in FR,DE' ('country not in …' and '!=' too). '=', '==' and 'is' mean 'in'. Values are split at commas; 'matches' takes the rest as one pattern (docs/patterns.md). Quote each condition for the shell. ATTRIBUTE may be a dotted path into nested objects and arrays ('user.plan in pro', 'orgs.0.id in acme'); write \\. for a dot inside a name. A context without the attribute, or with a value the operator cannot compare (a version that is not one, 'abc' for '<'), never matches an attribute condition, negated or not. Repeat --where: all conditions must hold.
        Operators: \(Operator.spellings).
        """

    /// The operators a condition may use, for people (`in, startsWith, …`).
    public static var operators: String { Operator.spellings }

    /// The clause `text` describes; a ``ValidationError`` at path `where` naming the problem otherwise.
    public static func parse(_ text: String) throws(ValidationError) -> Clause {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var negate = false
        func next() -> Substring? {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { return nil }
            let word = rest.prefix { $0 != " " && $0 != "\t" }
            rest = rest.dropFirst(word.count)
            return word
        }
        func peek() -> Substring? {
            let saved = rest
            defer { rest = saved }
            return next()
        }
        guard var first = next() else {
            throw failure(text, "empty condition")
        }
        if first.lowercased() == "not" {
            negate = true
            guard let word = next() else { throw failure(text, "'not' needs a condition after it") }
            first = word
        }
        if first.lowercased() == "in", peek()?.lowercased() == "cohort" {
            _ = next()
            guard let name = next() else { throw failure(text, "name the cohort: 'in cohort NAME'") }
            if let extra = next() { throw failure(text, "unexpected '\(extra)' after the cohort name") }
            return try checked(Clause.inCohort(String(name), negate: negate), text)
        }
        let attribute = String(first)
        guard var opWord = next() else {
            throw failure(text, "missing operator after '\(attribute)': use one of \(Operator.spellings)")
        }
        if opWord.lowercased() == "not" {
            negate.toggle()
            guard let word = next() else { throw failure(text, "'not' needs an operator after it") }
            opWord = word
        }
        let op: Operator
        switch opWord.lowercased() {
        case "=", "==", "is", "eq": op = .in
        case "!=", "notin", "not-in":
            op = .in
            negate.toggle()
        default:
            guard let found = Operator(rawValue: String(opWord))
                ?? Operator.allCases.first(where: { $0.rawValue.lowercased() == opWord.lowercased() })
            else {
                throw failure(text, "unknown operator '\(opWord)': use one of \(Operator.spellings)")
            }
            op = found
        }
        let valueText = rest.trimmingCharacters(in: .whitespaces)
        let values: [String]
        switch op {
        case .exists:
            guard valueText.isEmpty else { throw failure(text, "'exists' takes no values") }
            values = []
        case .matches:
            // A regular expression may contain commas: the rest of the text is one pattern.
            values = valueText.isEmpty ? [] : [valueText]
        default:
            values = valueText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if op != .exists, values.isEmpty {
            throw failure(text, "'\(op.rawValue)' needs at least one value, e.g. '\(attribute) \(op.rawValue) VALUE'")
        }
        return try checked(Clause(attribute: attribute, op, values, negate: negate), text)
    }

    /// Runs the engine's own validation on the clause so that a client refuses exactly what
    /// the server would, with the engine's message.
    private static func checked(_ clause: Clause, _ text: String) throws(ValidationError) -> Clause {
        let probe = Flag(key: "where", environments: [
            "check": FlagState(rules: [Rule(clauses: [clause], serve: .variant("on"))])
        ])
        if let issue = probe.validationIssues().first {
            throw failure(text, issue.message)
        }
        return clause
    }

    private static func failure(_ text: String, _ message: String) -> ValidationError {
        ValidationError(path: "where", "'\(text)': \(message)")
    }
}
