import ClutchAPI
import ClutchCore
import Hummingbird

/// `POST /api/v1/environments/{env}/explain`: evaluates a flag for a context, with the reason.
struct ExplainController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("environments/:env/explain", use: explain)
        return routes
    }

    @Sendable func explain(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let environment = try context.parameter("env")
        let body = try await request.decodeJSON(ExplainRequest.self)
        guard let engine = services.registry.engine(environment) else {
            throw APIError.notFound("environment '\(environment)' not found")
        }
        guard engine.contains(body.flag) else {
            throw APIError.notFound("flag '\(body.flag)' not found in environment '\(environment)'", field: "flag")
        }
        let evaluationContext: EvaluationContext
        do {
            evaluationContext = try EvaluationContext(json: body.context ?? [:])
        } catch {
            throw APIError.validationFailed(error.message, field: error.message.hasPrefix("targetingKey") ? "context.targetingKey" : "context")
        }
        let result = engine.evaluate(body.flag, context: evaluationContext)
        let flag = engine.snapshot.flags.first { $0.key == body.flag }
        return JSONResponse.raw(Self.answer(result, flag: flag, environment: environment, context: evaluationContext, engine: engine).json.jsonText)
    }

    /// The explanation of `result`; `engine` (when given) evaluates a failed prerequisite's flag
    /// to say what it serves instead.
    static func answer(
        _ result: EvaluationResult, flag: Flag?, environment: String, context: EvaluationContext, engine: Engine? = nil
    ) -> Explanation {
        let state = flag?.state(in: environment)
        let match: Explanation.Match?
        var explanation: String
        switch result.match {
        case .some(.prerequisite(let index, let required)):
            let variant = state.flatMap { index < $0.prerequisites.count ? $0.prerequisites[index].variant : nil }
            match = Explanation.Match(kind: "prerequisite", index: index, value: variant, flag: required)
            explanation = "prerequisite \(required) is not serving '\(variant ?? "?")'"
            if let engine { explanation += " (\(Self.whyNot(required, engine: engine, context: context)))" }
        case .some(.target(let index)):
            let target = state.flatMap { index < $0.targets.count ? $0.targets[index] : nil }
            let attribute = target?.attribute ?? "targetingKey"
            // Read as the engine reads it: a dotted path reaches a nested attribute.
            let found = (try? AttributePath(attribute)).flatMap { context[path: $0] }
            let value = Self.matchedValue(found, listed: target?.values ?? [])
            match = Explanation.Match(kind: "target", index: index, attribute: attribute, value: value)
            explanation = "target #\(index + 1): \(attribute) = \(value ?? "?")"
        case .some(.rule(let index)):
            match = Explanation.Match(kind: "rule", index: index)
            let rule = state.flatMap { index < $0.rules.count ? $0.rules[index] : nil }
            explanation = "rule #\(index + 1)" + (rule.map { ": " + describe($0) } ?? "")
        case .some(.default):
            match = Explanation.Match(kind: "default")
            explanation = "default"
        case .none:
            match = nil
            explanation = result.reason == .disabled ? "flag is off in \(environment)" : (result.errorMessage ?? result.reason.rawValue)
        }
        if result.reason == .split { explanation += " (percentage rollout)" }
        return Explanation(
            flagKey: result.flagKey, value: result.value, variant: result.variant, reason: result.reason.rawValue,
            errorCode: result.errorCode?.rawValue, errorMessage: result.errorMessage, match: match, explanation: explanation)
    }

    /// What prerequisite flag `key` does instead of serving the variant required, for people.
    static func whyNot(_ key: String, engine: Engine, context: EvaluationContext) -> String {
        guard engine.contains(key) else { return "it does not exist in \(engine.environment)" }
        let result = engine.evaluate(key, context: context)
        if result.reason == .disabled { return "it is off in \(engine.environment)" }
        if let variant = result.variant {
            // A prerequisite of its own failing is why it serves its off variant: say which.
            if case .prerequisite(_, let deeper) = result.match { return "it serves '\(variant)': its prerequisite \(deeper) does not hold" }
            return "it serves '\(variant)'"
        }
        return result.errorMessage ?? result.reason.rawValue
    }

    /// The context's value that a target listed (an array attribute matches through an element).
    static func matchedValue(_ value: Value?, listed: [String]) -> String? {
        guard let value else { return nil }
        if case .array(let items) = value {
            // By bytes, as the engine compares targets.
            return items.lazy.compactMap(\.comparableText).first { text in listed.contains { MemberOrder.same($0, text) } }
        }
        return value.comparableText
    }

    /// `role in admin, editor and country not in FR` for a rule's clauses.
    static func describe(_ rule: Rule) -> String {
        if let description = rule.description, !description.isEmpty { return description }
        if rule.clauses.isEmpty { return "everyone" }
        return rule.clauses.map { clause in
            if let cohort = clause.cohort { return (clause.negate ? "not in cohort " : "in cohort ") + cohort }
            let op = (clause.negate ? "not " : "") + (clause.operator ?? "?")
            return "\(clause.attribute ?? "?") \(op) \(clause.values.joined(separator: ", "))"
        }.joined(separator: " and ")
    }
}
