import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch explain KEY --env E --context …`: what the server serves a context and why.
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a flag on the server for a context and say which target or rule decided.",
        discussion: """
            --context takes ATTRIBUTE=VALUE pairs: true/false become booleans, numbers numbers, \
            a,b an array (role=admin,beta); quote a value to keep it a string (plan='"100"'). \
            --context-json takes an object, or an array of objects to explain several contexts at once.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @Argument(help: "The flag's key.") var key: String

    @Option(parsing: .upToNextOption, help: ArgumentHelp("ATTRIBUTE=VALUE pairs.", valueName: "attribute=value"))
    var context: [String] = []

    @Option(help: ArgumentHelp("The context as JSON (an object, or an array of them).", valueName: "json"))
    var contextJson: String?

    func run() async throws {
        let env = try environment.required()
        if contextJson != nil, !context.isEmpty { throw CLIError.usage("give --context or --context-json, not both") }
        let contexts: [[String: Value]]
        let batch: Bool
        if let contextJson {
            contexts = try ContextParser.parse(json: contextJson)
            batch = contextJson.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("[")
        } else {
            contexts = [try ContextParser.parse(pairs: context)]
            batch = false
        }
        let client = try connection.client()
        // Several contexts are explained over a few connections at once, answers kept in order.
        let answers = try await Explain.inOrder(contexts, width: 8) { context in
            let response = try await client.send("POST", ["environments", env, "explain"], json: ExplainRequest(flag: key, context: context))
            return (try response.json(), try response.decode(Explanation.self))
        }
        let results = zip(contexts, answers).map { (context: $0, json: $1.0, record: $1.1) }
        if connection.json {
            return Output.json(batch ? .array(results.map(\.json)) : results.first?.json ?? .null)
        }
        if !batch, let result = results.first {
            Output.text(Explain.describe(result.record, key: key, environment: env, context: result.context))
            return
        }
        var table = Table(["CONTEXT", "VARIANT", "VALUE", "REASON", "DECIDED BY"])
        for result in results {
            let r = result.record
            table.add([
                Explain.contextText(result.context), r.variant ?? "-", r.value?.display ?? "-",
                r.reason, r.explanation,
            ])
        }
        Output.text(table.render())
    }

    /// `work` applied to each of `items`, at most `width` at a time; the results in the items' order.
    /// The first failure ends the rest.
    static func inOrder<Item: Sendable, Result: Sendable>(
        _ items: [Item], width: Int, _ work: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: items.count)
            var next = 0
            for _ in 0..<min(width, items.count) {
                let index = next
                group.addTask { (index, try await work(items[index])) }
                next += 1
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < items.count {
                    let index = next
                    group.addTask { (index, try await work(items[index])) }
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }

    static func contextText(_ context: [String: Value]) -> String {
        context.isEmpty ? "{}" : context.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.display)" }.joined(separator: " ")
    }

    static func describe(_ r: Explanation, key: String, environment: String, context: [String: Value]) -> String {
        var lines = ["\(Style.bold(key)) in \(environment) for \(contextText(context)):"]
        if let code = r.errorCode {
            lines.append("  \(Style.red("error")) \(code): \(r.errorMessage ?? "")")
            return lines.joined(separator: "\n")
        }
        lines.append("  value:   \(Style.bold(r.value?.display ?? "-")) (variant \(r.variant ?? "-"))")
        lines.append("  reason:  \(r.reason)")
        lines.append("  because: \(r.explanation)")
        if context["targetingKey"] == nil {
            lines.append(Style.dim("  note: the context has no targetingKey; rollouts bucket by it unless --by says otherwise"))
        }
        return lines.joined(separator: "\n")
    }
}
