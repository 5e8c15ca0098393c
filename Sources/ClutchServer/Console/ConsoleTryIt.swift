import ClutchAPI
import ClutchCore
import Foundation
import Hummingbird

/// The flag page's "Try it" box: a context typed by a person, evaluated by the environment's
/// live engine and explained with the words of `POST /api/v1/environments/{env}/explain`
/// (``ExplainController/answer(_:flag:environment:context:engine:)``) and `clutch explain`.
/// A GET form: trying changes nothing, and the answer can be bookmarked.
enum ConsoleTryIt {
    /// The most attribute lines the box reads.
    static let maxAttributes = 50

    /// The box's fields (as typed) and, when the form was sent, the answer or the problem.
    static func values(_ request: Request, flag: String, env: String, registry: EngineRegistry) -> [String: Any] {
        let fields = ["targetingKey", "customerId", "role", "attributes"]
        var values: [String: Any] = [:]
        for name in fields { values[name] = request.consoleQuery("try-\(name)") ?? "" }
        guard request.consoleQuery("try") != nil else { return values }
        let context: [String: Value]
        do {
            context = try Self.context(
                targetingKey: request.consoleQuery("try-targetingKey"), customerId: request.consoleQuery("try-customerId"),
                role: request.consoleQuery("try-role"), attributes: request.consoleQuery("try-attributes"))
        } catch {
            values["problem"] = error.message
            return values
        }
        guard let engine = registry.engine(env), engine.contains(flag) else {
            values["problem"] = "The flag is not in \(env)'s snapshot yet; try again in a moment."
            return values
        }
        let evaluationContext: EvaluationContext
        do {
            evaluationContext = try EvaluationContext(json: context)
        } catch {
            values["problem"] = error.message
            return values
        }
        let result = engine.evaluate(flag, context: evaluationContext)
        let definition = engine.snapshot.flags.first { $0.key == flag }
        let answer = ExplainController.answer(result, flag: definition, environment: env, context: evaluationContext, engine: engine)
        values["result"] = [
            "variant": answer.variant ?? "(none)", "value": (answer.value ?? .null).jsonText, "reason": answer.reason,
            "explanation": answer.explanation,
        ]
        return values
    }

    struct Problem: Error {
        let message: String
    }

    /// The context object: the three named fields (role may list several, comma-separated) and
    /// `name=value` lines, values read as `clutch explain --context` reads them.
    static func context(targetingKey: String?, customerId: String?, role: String?, attributes: String?) throws(Problem) -> [String: Value] {
        var context: [String: Value] = [:]
        func trimmed(_ text: String?) -> String? {
            let value = (text ?? "").trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        let lines = (attributes ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count <= maxAttributes else { throw Problem(message: "Other attributes: at most \(maxAttributes) lines.") }
        for line in lines {
            guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
                throw Problem(message: "Other attributes: write one name=value per line, got “\(line)”.")
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            context[name] = Value.inferred(from: line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces))
        }
        if let key = trimmed(targetingKey) { context["targetingKey"] = .string(key) }
        if let customer = trimmed(customerId) { context["customerId"] = .string(customer) }
        if let role = trimmed(role) {
            let roles = role.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            context["role"] = roles.count == 1 ? .string(roles[0]) : .array(roles.map(Value.string))
        }
        return context
    }
}
