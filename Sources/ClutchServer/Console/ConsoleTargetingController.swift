import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// Who gets a flag, from its page: admins, named customers, cohorts, a rollout and rules. Each
/// form is a thin client of ClutchCore: it edits the state with the same functions as
/// `clutch target`/`untarget`/`rules` (``Audience``, ``WhereParser``) or names the instruction
/// directly (`setRollout`, `removeRule`, `moveRule`), and ``ConsoleEdit`` applies it.
struct ConsoleTargetingController {
    let services: ServerServices
    let pages: ConsolePages

    /// Sticky attributes offered for a rollout, the default (``Rollout/defaultBucketBy``, as in
    /// the CLI and the API) first, then whole customers; any other attribute can be typed.
    static let stickyAttributes = [Rollout.defaultBucketBy, "customerId"]

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.post("flags/:key/admins", use: admins)
        group.post("flags/:key/customers", use: customers)
        group.post("flags/:key/cohorts", use: cohorts)
        group.post("flags/:key/rollout", use: rollout)
        group.post("flags/:key/rules", use: addRule)
        group.post("flags/:key/rules/:rule/remove", use: removeRule)
        group.post("flags/:key/rules/:rule/move", use: moveRule)
    }

    private var edit: ConsoleEdit { ConsoleEdit(services: services, pages: pages) }

    /// The variant the form names in `serve`, or the one targeting serves by default.
    static func variant(_ form: ConsoleEdit.Form, of flag: Flag) throws -> String {
        let name = form.text("serve") ?? flag.targetingVariant
        guard flag.variant(name) != nil else {
            throw ConsoleEdit.Refusal(field: "serve", message: "serve: unknown variant “\(name)” (this flag has: \(flag.variants.map(\.key).joined(separator: ", "))).")
        }
        return name
    }

    /// "Admins only": a rule `role in admin` serving the variant first, everyone else on the off
    /// variant unless a default was chosen; or that rule removed.
    @Sendable func admins(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let on = context.consoleForm["to"] == "on"
        return try await edit.run(request, context, done: on ? "admins-on" : "admins-off", field: "admins") { form, record in
            let variant = try Self.variant(form, of: record.flag)
            return ConsoleEdit.instructions(record, env: form.env) { state in
                if on {
                    state.target(.admins, variant: variant)
                    state.pinDefaultToOff(of: record.flag)
                } else {
                    state.untarget(.admins, variant: nil)
                }
            }
        }
    }

    /// Named customers (`customerId` targets), added or removed.
    @Sendable func customers(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let remove = context.consoleForm["do"] == "remove"
        return try await edit.run(request, context, done: remove ? "customers-removed" : "customers-added", field: "customers") { form, record in
            let ids = ConsoleEdit.list(form["customers"])
            guard !ids.isEmpty else {
                throw ConsoleEdit.Refusal(field: "customers", message: "Customers: name at least one customer id (separate them with commas or new lines).")
            }
            if remove { return [.removeTargets(variant: nil, attribute: "customerId", values: ids)] }
            let variant = try Self.variant(form, of: record.flag)
            return ConsoleEdit.instructions(record, env: form.env) { state in
                state.target(.customers(ids), variant: variant)
                state.pinDefaultToOff(of: record.flag)
            }
        }
    }

    /// A cohort targeted (a rule `in cohort NAME`) or no longer.
    @Sendable func cohorts(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let remove = context.consoleForm["do"] == "remove"
        return try await edit.run(request, context, done: remove ? "cohort-removed" : "cohort-added", field: "cohort") { form, record in
            guard let cohort = form.text("cohort") else { throw ConsoleEdit.Refusal(field: "cohort", message: "Cohort: choose a cohort.") }
            let variant: String? = try remove ? nil : Self.variant(form, of: record.flag)
            return ConsoleEdit.instructions(record, env: form.env) { state in
                if let variant {
                    state.target(.cohort(cohort), variant: variant)
                    state.pinDefaultToOff(of: record.flag)
                } else {
                    state.untarget(.cohort(cohort), variant: nil)
                }
            }
        }
    }

    /// Everyone not targeted: `percent` % get the variant, bucketed by the sticky attribute.
    @Sendable func rollout(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        try await edit.run(request, context, done: "rollout", field: "percent") { form, record in
            guard let text = form.text("percent"), let percent = Double(text.replacingOccurrences(of: "%", with: "")),
                percent.isFinite, (0...100).contains(percent)
            else {
                throw ConsoleEdit.Refusal(field: "percent", message: "Rollout: give a percentage between 0 and 100.")
            }
            let chosen = form.text("bucketBy") ?? Rollout.defaultBucketBy
            let bucketBy = chosen == "other" ? form.text("bucketOther") : chosen
            guard let bucketBy else {
                throw ConsoleEdit.Refusal(field: "bucketOther", message: "Sticky attribute: name the attribute (for example accountId).")
            }
            let variant = try Self.variant(form, of: record.flag)
            return [.setRollout(percent: percent, variant: variant, weights: nil, bucketBy: bucketBy)]
        }
    }

    /// A rule from conditions in the CLI's `--where` grammar, one per line (all must hold).
    @Sendable func addRule(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        try await edit.run(request, context, done: "rule-added", field: "conditions") { form, record in
            let lines = (form["conditions"] ?? "").split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !lines.isEmpty else {
                throw ConsoleEdit.Refusal(field: "conditions", message: "Conditions: write at least one, for example “plan in enterprise,pro”.")
            }
            let clauses = try lines.map { line throws(ValidationError) in try WhereParser.parse(line) }
            let variant = try Self.variant(form, of: record.flag)
            let rule = Rule(description: form.text("description"), clauses: clauses, serve: .variant(variant))
            return ConsoleEdit.instructions(record, env: form.env) { state in
                state.rules.insert(rule, at: form["position"] == "first" ? 0 : state.rules.count)
                state.pinDefaultToOff(of: record.flag)
            }
        }
    }

    @Sendable func removeRule(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let id = try context.parameter("rule")
        return try await edit.run(request, context, done: "rule-removed", field: "rules") { _, _ in [.removeRule(id: id)] }
    }

    /// Moves a rule one place up or down (evaluation order).
    @Sendable func moveRule(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let id = try context.parameter("rule")
        return try await edit.run(request, context, done: "rule-moved", field: "rules") { form, record in
            let rules = record.flag.state(in: form.env).rules
            guard let at = rules.firstIndex(where: { $0.id == id }) else {
                throw ConsoleEdit.Refusal(field: "rules", message: "That rule no longer exists in \(form.env).")
            }
            let to = form["to"] == "up" ? at - 1 : at + 1
            guard rules.indices.contains(to) else { return [] }
            return [.moveRule(id: id, position: to)]
        }
    }
}
