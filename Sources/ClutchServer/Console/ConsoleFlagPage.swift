import ClutchCore
import ClutchStore
import Foundation

/// The values the flag page's template shows: the state in plain words and, for each control,
/// what it currently is (admins targeted, customers, cohorts with their sizes, the rollout and
/// how much traffic it covers, the rules in order).
enum ConsoleFlagPage {
    static func values(
        _ record: FlagRecord, env: String, environments: [String], cohorts: [(record: CohortRecord, size: Int)],
        recent: RecentUsage, session: ConsoleSession, now: Date
    ) -> [String: Any] {
        let flag = record.flag
        let state = flag.state(in: env)
        let key = flag.key
        let serveVariant = flag.targetingVariant
        var values: [String: Any] = [
            "title": key, "session": session.templateValues, "csrf": session.csrfToken,
            "key": key, "env": env, "type": flag.type.rawValue, "revision": record.revision,
            "archived": flag.archived, "tags": flag.tags, "hasTags": !flag.tags.isEmpty,
            "updatedAt": ConsoleFormat.time(record.updatedAt, now: now), "updatedBy": record.updatedBy,
            "offVariant": flag.offVariant,
            "on": state.enabled,
            "needsConfirm": ConsoleConfirmation.isProtected(env),
            "steps": Describe.steps(flag, environment: env).map { ["kind": $0.kind, "text": $0.text] },
            "lastEvaluated": ConsoleFormat.time(record.usage?[env]?.lastEvaluated, now: now),
            "environments": environments.map {
                ["key": $0, "url": ConsoleQuery.flagURL(key, env: $0), "current": $0 == env, "on": flag.state(in: $0).enabled]
            },
            "listURL": ConsoleQuery.listURL(env: env),
            "pageURL": ConsoleQuery.flagURL(key, env: env),
            "eventsURL": ConsoleQuery.flagPath(key, "/events") + "?env=\(ConsoleQuery.encode(env))",
            "toggleURL": ConsoleQuery.flagPath(key, "/toggle"),
            "killURL": ConsoleQuery.flagPath(key, "/kill"),
            "adminsURL": ConsoleQuery.flagPath(key, "/admins"),
            "customersURL": ConsoleQuery.flagPath(key, "/customers"),
            "cohortsURL": ConsoleQuery.flagPath(key, "/cohorts"),
            "rolloutURL": ConsoleQuery.flagPath(key, "/rollout"),
            "rulesURL": ConsoleQuery.flagPath(key, "/rules"),
            "detailsURL": ConsoleQuery.flagPath(key, "/details"),
            "archiveURL": ConsoleQuery.flagPath(key, "/archive"),
            "deleteURL": ConsoleQuery.flagPath(key, "/delete"),
            "variants": flag.variants.map { ["key": $0.key, "selected": $0.key == serveVariant] },
            "serveVariant": serveVariant,
            "operators": WhereParser.operators,
        ]
        if !flag.description.isEmpty { values["description"] = flag.description }
        values["kind"] = flag.kind.rawValue
        if let owner = record.ownerText { values["owner"] = owner }
        // Its stage in this environment, as the flag list's badge shows it.
        let lifecycle = ConsoleFlagsController.lifecycle(record, in: env)
        values["stage"] = lifecycle?.stage.rawValue ?? FlagStage.new.rawValue
        if let reason = lifecycle?.reason { values["stageReason"] = reason }
        values["admins"] = state.rules.contains { $0.clauses == Audience.adminClauses }
        let customers = state.targets.filter { $0.attribute == "customerId" }.flatMap { target in
            target.values.map { ["id": $0, "variant": target.variant] }
        }
        values["customers"] = customers
        values["customerCount"] = customers.count
        values["hasCustomers"] = !customers.isEmpty
        values["cohortTargets"] = cohortTargets(state, cohorts: cohorts)
        values["cohortChoices"] = cohorts.map { ["key": $0.record.cohort.key, "size": $0.size] }
        values["hasCohorts"] = !cohorts.isEmpty
        values.merge(rollout(flag, state, env: env, recent: recent)) { _, new in new }
        values.merge(controls(on: state.enabled, env: env, session: session)) { _, new in new }
        // Row keys never repeat a page key: a missing one would resolve to the page's (Mustache's context stack).
        values["rules"] = state.rules.enumerated().map { index, rule -> [String: Any] in
            let path = ConsoleQuery.flagPath(key, "/rules/\(ConsoleQuery.encode(rule.id ?? ""))")
            var row: [String: Any] = [
                "number": index + 1, "text": Describe.clauses(rule.clauses), "serve": Describe.serve(rule.serve),
                "removeURL": path + "/remove", "moveURL": path + "/move",
                "canUp": index > 0, "canDown": index < state.rules.count - 1,
            ]
            if let description = rule.description, !description.isEmpty { row["ruleDescription"] = description }
            return row
        }
        return values
    }

    /// The attribute names `env`'s contexts have carried, suggested on the attribute inputs (a
    /// `datalist`) and listed beside the rules, and a warning for each attribute the state uses
    /// that none carried: the API's warning (``AttributeWarnings``), shown after every change and
    /// until contexts carry the name or the state no longer uses it.
    static func attributes(seen: [String], state: FlagState, env: String) -> [String: Any] {
        let warnings = AttributeWarnings.check(used: state.attributesUsed, seen: seen, environment: env)
        return [
            "seenAttributes": seen, "hasSeenAttributes": !seen.isEmpty, "seenAttributesText": seen.joined(separator: ", "),
            "attributeWarnings": warnings.map(\.message),
        ]
    }

    /// Which controls the session may use, asking the one policy: the switch (turning off is a
    /// responder's, on an editor's), the targeting controls (an editor's here) and the kill
    /// switch (a responder's everywhere), the flag itself (details, archive, delete: an editor's
    /// everywhere); for each it may not, the policy's reason (`canX`, `whyX`).
    static func controls(on: Bool, env: String, session: ConsoleSession) -> [String: Any] {
        session.permissions([
            ("Switch", .applying([on ? .turnOff : .turnOn], in: env)),
            ("Edit", .edit(environment: env)),
            ("Kill", .respond(environment: nil)),
            ("Manage", .edit(environment: nil)),
        ])
    }

    /// Where the flag is referenced in the uploaded code scans (`clutch refs scan --upload`), and
    /// the branches that referenced it no more ("removed from app-ios@main in 3f2a1c0").
    static func codeReferences(_ references: FlagCodeReferences, now: Date) -> [String: Any] {
        [
            "codeRefs": references.references.map { reference -> [String: Any] in
                var row: [String: Any] = [
                    "place": "\(reference.repo)@\(reference.branch)", "file": "\(reference.path):\(reference.line)",
                    "context": reference.context, "refCommit": reference.commit,
                ]
                if let alias = reference.alias { row["alias"] = alias }
                return row
            },
            "codeRefCount": references.references.count,
            "hasCodeRefs": !references.references.isEmpty,
            "codeRefRemovals": references.removals.map { ["sentence": $0.sentence, "when": ConsoleFormat.time($0.removedAt, now: now)] },
        ]
    }

    /// Rules that are exactly `in cohort NAME`, with the cohort's size.
    static func cohortTargets(_ state: FlagState, cohorts: [(record: CohortRecord, size: Int)]) -> [[String: Any]] {
        let sizes = Dictionary(cohorts.map { ($0.record.cohort.key, $0) }, uniquingKeysWith: { a, _ in a })
        return state.rules.compactMap { rule -> [String: Any]? in
            guard rule.clauses.count == 1, let name = rule.clauses[0].cohort, !rule.clauses[0].negate else { return nil }
            let cohort = sizes[name]
            let clauses = cohort.map { !$0.record.cohort.clauses.isEmpty } ?? false
            return [
                "name": name, "serve": Describe.serve(rule.serve),
                "size": "\(cohort?.size ?? 0) member\(cohort?.size == 1 ? "" : "s")\(clauses ? " plus everyone its conditions match" : "")",
            ]
        }
    }

    /// The rollout control: the current percentage and sticky attribute, and how many of the
    /// last day's evaluations (``RecentUsage``, hourly counts) reached the rollout and how many
    /// the percentage covers. console.js recomputes the figure as the percentage is typed, from
    /// `data-reachable` (the same product, ``RecentUsage/covered(percent:)``).
    static func rollout(_ flag: Flag, _ state: FlagState, env: String, recent: RecentUsage) -> [String: Any] {
        let current = state.default?.rollout
        let variant = flag.targetingVariant
        let weight = current?.weights.first { $0.variant == variant }?.weight
        let percent = weight.map(Describe.percent) ?? ""
        let bucketBy = current?.bucketBy ?? Rollout.defaultBucketBy
        let known = ConsoleTargetingController.stickyAttributes
        var values: [String: Any] = [
            "rolloutPercent": percent, "hasRollout": current != nil,
            "stickyChoices": known.map { ["key": $0, "selected": $0 == bucketBy] },
            "stickyOther": known.contains(bucketBy) ? "" : bucketBy,
            "stickyIsOther": !known.contains(bucketBy),
            "hasUsage": recent.hasData,
        ]
        guard recent.hasData else { return values }
        let reachable = ConsoleFormat.count(recent.reachable)
        values["usageReachable"] = recent.reachable
        values["usageIsBound"] = recent.isUpperBound
        values["usageSentence"] = recent.isUpperBound
            ? "In the last day, \(reachable) evaluation\(recent.reachable == 1 ? "" : "s") of this flag in \(env) were counted, none decided by a percentage rollout (targets and rules decide some of them first)."
            : "In the last day, \(reachable) evaluation\(recent.reachable == 1 ? "" : "s") in \(env) reached the rollout."
        if let weight {
            values["usageCoverage"] = coverage(recent, percent: Double(weight) * 100 / Double(Rollout.totalWeight), shown: percent)
        }
        return values
    }

    /// "10 % would cover about 1,234." (or "at most about" when the figure is an upper bound).
    static func coverage(_ recent: RecentUsage, percent: Double, shown: String) -> String {
        "\(shown) % would cover \(recent.isUpperBound ? "at most " : "")about \(ConsoleFormat.count(recent.covered(percent: percent)))."
    }
}
