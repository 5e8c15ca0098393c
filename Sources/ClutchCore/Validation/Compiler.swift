/// Checks definitions and compiles them in one pass, so that what validation accepts is
/// exactly what evaluation can run. Problems are collected with the path of the field.
///
/// Paths are passed as closures and built only for a problem: the engine compiles every flag
/// of a snapshot, nearly always without one, and building them cost more than the compiling.
struct Compiler {
    /// Known cohorts by key, or `nil` to skip checking that named cohorts exist.
    let cohorts: [String: CompiledCohort]?
    var issues: [ValidationIssue] = []

    init(cohorts: [String: CompiledCohort]?) {
        self.cohorts = cohorts
    }

    mutating func issue(_ path: String, _ message: String) {
        issues.append(ValidationIssue(path: path, message: message))
    }

    // MARK: Flags

    /// Checks everything about `flag` that does not depend on an environment and
    /// returns its variants by key.
    mutating func variants(of flag: Flag) -> ResolvedVariants {
        if !KeyRule.isValid(flag.key) { issue("key", KeyRule.message("flag", flag.key)) }
        if let salt = flag.salt, salt.isEmpty { issue("salt", "salt must not be empty (leave it out to use the flag key)") }
        for (i, tag) in flag.tags.enumerated() where tag.isEmpty || tag.count > 64 {
            issue("tags[\(i)]", "tags must be 1–64 characters")
        }
        if flag.variants.isEmpty { issue("variants", "a flag needs at least one variant") }
        var resolved = ResolvedVariants(capacity: flag.variants.count)
        for (i, variant) in flag.variants.enumerated() {
            if !KeyRule.isValid(variant.key) {
                issue("variants[\(i)].key", KeyRule.message("variant", variant.key))
            } else if resolved[variant.key] != nil {
                issue("variants[\(i)].key", "duplicate variant '\(variant.key)'")
            }
            if !flag.type.accepts(variant.value) {
                issue("variants[\(i)].value", "a \(flag.type.rawValue) flag needs \(flag.type.rawValue) values, got \(variant.value.kindName)")
            }
            if resolved[variant.key] == nil {
                resolved.add(ResolvedVariant(key: variant.key, value: flag.type.normalize(variant.value)))
            }
        }
        if !flag.variants.isEmpty, resolved[flag.offVariant] == nil {
            issue("offVariant", flag.offVariant.isEmpty ? "offVariant is required: name the variant served while the flag is off" : "offVariant names no variant of this flag: '\(flag.offVariant)'")
        }
        return resolved
    }

    /// Compiles `flag`'s state in one environment; `path` is where that state sits.
    mutating func compile(
        _ flag: Flag, state: FlagState, variants: ResolvedVariants, path: @autoclosure () -> String
    ) -> CompiledFlag? {
        let before = issues.count
        let off = variants[flag.offVariant]
        checkPrerequisites(of: flag, state.prerequisites, path: path())
        var targets: [(attribute: AttributeRef, values: [String], variant: ResolvedVariant)] = []
        targets.reserveCapacity(state.targets.count)
        for (i, target) in state.targets.enumerated() {
            func p() -> String { "\(path()).targets[\(i)]" }
            let variant = resolve(target.variant, in: variants, path: "\(p()).variant")
            let attribute: AttributeRef?
            if target.attribute.isEmpty {
                issue("\(p()).attribute", "attribute must not be empty")
                attribute = nil
            } else {
                attribute = self.attribute(target.attribute, path: "\(p()).attribute")
            }
            if target.values.isEmpty { issue("\(p()).values", "a target needs at least one value") }
            if let variant, let attribute {
                targets.append((attribute, target.values, variant))
            }
        }
        var rules: [(clauses: [CompiledClause], serve: CompiledServe)] = []
        rules.reserveCapacity(state.rules.count)
        for (i, rule) in state.rules.enumerated() {
            func p() -> String { "\(path()).rules[\(i)]" }
            if let id = rule.id {
                if !RuleID.isValid(id) { issue("\(p()).id", RuleID.message(id)) }
                if state.rules[..<i].contains(where: { $0.id == id }) { issue("\(p()).id", "another rule of this state has the id '\(id)'") }
            }
            if rule.clauses.isEmpty { issue("\(p()).clauses", "a rule needs at least one clause (the default serves everyone else)") }
            var clauses: [CompiledClause] = []
            clauses.reserveCapacity(rule.clauses.count)
            for (j, clause) in rule.clauses.enumerated() {
                if let compiled = compile(clause, path: "\(p()).clauses[\(j)]", allowCohorts: true) { clauses.append(compiled) }
            }
            if let serve = compile(rule.serve, variants: variants, path: "\(p()).serve") {
                rules.append((clauses, serve))
            }
        }
        let defaultServe = compile(state.default ?? flag.naturalDefault, variants: variants, path: "\(path()).default")
        guard issues.count == before, let off, let defaultServe else { return nil }
        return CompiledFlag(
            key: flag.key, type: flag.type, salt: flag.effectiveSalt, enabled: state.enabled, off: off,
            prerequisites: state.prerequisites, targets: targets, rules: rules, defaultServe: defaultServe)
    }

    /// What can be checked of `prerequisites` without the other flags: keys, variants named,
    /// no flag twice, not the flag itself. Whether the flags exist, have those variants and form
    /// no cycle needs the other flags (``Flag/prerequisiteIssues(among:requiredBy:)``).
    private mutating func checkPrerequisites(of flag: Flag, _ prerequisites: [Prerequisite], path: @autoclosure () -> String) {
        for (i, prerequisite) in prerequisites.enumerated() {
            func p() -> String { "\(path()).prerequisites[\(i)]" }
            if !KeyRule.isValid(prerequisite.flag) {
                issue("\(p()).flag", KeyRule.message("flag", prerequisite.flag))
            } else if prerequisite.flag == flag.key {
                issue("\(p()).flag", "a flag cannot be its own prerequisite")
            } else if prerequisites[..<i].contains(where: { $0.flag == prerequisite.flag }) {
                issue("\(p()).flag", "'\(prerequisite.flag)' is already a prerequisite: name each flag once")
            }
            if prerequisite.variant.isEmpty { issue("\(p()).variant", "name the variant the prerequisite must serve") }
        }
    }

    private mutating func resolve(_ key: String?, in variants: ResolvedVariants, path: @autoclosure () -> String) -> ResolvedVariant? {
        guard let key, !key.isEmpty else {
            issue(path(), "variant is required")
            return nil
        }
        guard let variant = variants[key] else {
            let known = variants.keys.sorted().joined(separator: ", ")
            issue(path(), "unknown variant '\(key)' (this flag has: \(known))")
            return nil
        }
        return variant
    }

    mutating func compile(_ serve: Serve, variants: ResolvedVariants, path: @autoclosure () -> String) -> CompiledServe? {
        switch (serve.variant, serve.rollout) {
        case (let key?, nil):
            return resolve(key, in: variants, path: "\(path()).variant").map(CompiledServe.variant)
        case (nil, let rollout?):
            return compile(rollout, variants: variants, path: "\(path()).rollout").map(CompiledServe.rollout)
        default:
            issue(path(), "serve exactly one of 'variant' or 'rollout'")
            return nil
        }
    }

    mutating func compile(_ rollout: Rollout, variants: ResolvedVariants, path: @autoclosure () -> String) -> CompiledRollout? {
        let before = issues.count
        var bucketBy: AttributeRef?
        if rollout.bucketBy.isEmpty {
            issue("\(path()).bucketBy", "bucketBy must name an attribute")
        } else {
            bucketBy = attribute(rollout.bucketBy, path: "\(path()).bucketBy")
        }
        if rollout.weights.isEmpty { issue("\(path()).weights", "a rollout needs at least one weighted variant") }
        // Rollouts name a few variants: scanning them beats hashing.
        var seen = rollout.weights.count > 16 ? Set<String>() : nil
        var running: UInt64 = 0
        var total = 0
        var buckets: [(upTo: UInt64, variant: ResolvedVariant)] = []
        buckets.reserveCapacity(rollout.weights.count)
        for (i, weight) in rollout.weights.enumerated() {
            func p() -> String { "\(path()).weights[\(i)]" }
            if weight.weight < 0 { issue("\(p()).weight", "weights must not be negative, got \(weight.weight)") }
            let repeated = if seen != nil {
                seen?.insert(weight.variant).inserted == false
            } else {
                rollout.weights[..<i].contains { $0.variant == weight.variant }
            }
            if repeated { issue("\(p()).variant", "variant '\(weight.variant)' appears twice") }
            let (sum, overflow) = total.addingReportingOverflow(weight.weight)
            total = overflow ? Int.max : sum
            if let variant = resolve(weight.variant, in: variants, path: "\(p()).variant"), weight.weight >= 0 {
                running += UInt64(weight.weight)
                buckets.append((running, variant))
            }
        }
        if issues.count == before, total != Rollout.totalWeight {
            issue(path(), "weights must sum to \(Rollout.totalWeight) (100 %), got \(total)")
        }
        guard issues.count == before, let bucketBy else { return nil }
        return CompiledRollout(bucketBy: bucketBy, buckets: buckets, totalWeight: UInt64(Rollout.totalWeight))
    }

    // MARK: Attributes

    /// `text` as an attribute path (see ``AttributePath``), parsed once here so evaluation
    /// parses nothing; a malformed path is an issue at `path`.
    mutating func attribute(_ text: String, path: @autoclosure () -> String) -> AttributeRef? {
        // Nearly every attribute is a plain name: skip building a path for it.
        if AttributePath.isPlainName(text) { return AttributeRef(name: text) }
        do {
            return AttributeRef(try AttributePath(text))
        } catch {
            issue(path(), "invalid attribute path: \(error.message)")
            return nil
        }
    }

    // MARK: Clauses

    mutating func compile(_ clause: Clause, path: @autoclosure () -> String, allowCohorts: Bool) -> CompiledClause? {
        if let cohortKey = clause.cohort {
            if clause.attribute != nil || clause.operator != nil {
                issue(path(), "a clause names either a cohort or an attribute and operator, not both")
                return nil
            }
            guard allowCohorts else {
                issue("\(path()).cohort", "a cohort's clauses cannot name other cohorts")
                return nil
            }
            guard let cohorts else {
                return .cohort(CompiledCohort(key: cohortKey, attribute: .customerId, members: [], clauses: []), negate: clause.negate)
            }
            guard let cohort = cohorts[cohortKey] else {
                issue("\(path()).cohort", "unknown cohort '\(cohortKey)'")
                return nil
            }
            return .cohort(cohort, negate: clause.negate)
        }
        guard let name = clause.attribute, !name.isEmpty else {
            issue("\(path()).attribute", "a clause needs an attribute (or a cohort)")
            return nil
        }
        let attribute = self.attribute(name, path: "\(path()).attribute")
        guard let spelling = clause.operator else {
            issue("\(path()).operator", "a clause needs an operator: one of \(Operator.spellings)")
            return nil
        }
        guard let op = Operator(rawValue: spelling) else {
            issue("\(path()).operator", "unknown operator '\(spelling)': use one of \(Operator.spellings)")
            return nil
        }
        guard let matcher = matcher(op, clause.values, path: "\(path()).values"), let attribute else { return nil }
        return .attribute(AttributeClause(attribute, matcher, negate: clause.negate))
    }

    private mutating func matcher(_ op: Operator, _ values: [String], path: @autoclosure () -> String) -> Matcher? {
        if op == .exists {
            if !values.isEmpty { issue(path(), "'exists' takes no values") }
            return values.isEmpty ? .exists : nil
        }
        if values.isEmpty {
            issue(path(), "'\(op.rawValue)' needs at least one value")
            return nil
        }
        let before = issues.count
        func parsed<T>(_ what: String, _ parse: (String) -> T?) -> [T] {
            values.enumerated().compactMap { i, text in
                if let value = parse(text) { return value }
                issue("\(path())[\(i)]", "'\(text)' is not \(what)")
                return nil
            }
        }
        let matcher: Matcher
        switch op {
        case .in:
            matcher = .oneOf(StringSet(set: values), numbers: values.compactMap { Double($0) })
        case .startsWith: matcher = .startsWith(values.map { BytePattern($0) })
        case .endsWith: matcher = .endsWith(values.map { BytePattern($0) })
        case .contains: matcher = .contains(values.map { BytePattern($0, searchable: true) })
        case .matches:
            var patterns: [CompiledPattern] = []
            for (i, source) in values.enumerated() {
                do {
                    patterns.append(try CompiledPattern(source))
                } catch {
                    issue("\(path())[\(i)]", "invalid regular expression '\(source)': \(error)")
                }
            }
            matcher = .matches(patterns)
        case .lessThan: matcher = .number(.less, parsed("a number") { Double($0).flatMap { $0.isFinite ? $0 : nil } })
        case .lessThanOrEqual: matcher = .number(.lessOrEqual, parsed("a number") { Double($0).flatMap { $0.isFinite ? $0 : nil } })
        case .greaterThan: matcher = .number(.greater, parsed("a number") { Double($0).flatMap { $0.isFinite ? $0 : nil } })
        case .greaterThanOrEqual: matcher = .number(.greaterOrEqual, parsed("a number") { Double($0).flatMap { $0.isFinite ? $0 : nil } })
        case .semverEqual: matcher = .semver(.equal, parsed("a semantic version", SemanticVersion.init))
        case .semverLessThan: matcher = .semver(.less, parsed("a semantic version", SemanticVersion.init))
        case .semverLessThanOrEqual: matcher = .semver(.lessOrEqual, parsed("a semantic version", SemanticVersion.init))
        case .semverGreaterThan: matcher = .semver(.greater, parsed("a semantic version", SemanticVersion.init))
        case .semverGreaterThanOrEqual: matcher = .semver(.greaterOrEqual, parsed("a semantic version", SemanticVersion.init))
        case .before: matcher = .before(parsed("a date (RFC 3339 or Unix seconds)", Timestamp.seconds))
        case .after: matcher = .after(parsed("a date (RFC 3339 or Unix seconds)", Timestamp.seconds))
        case .exists: matcher = .exists
        }
        return issues.count == before ? matcher : nil
    }

    // MARK: Cohorts

    mutating func compile(_ cohort: Cohort, path: @autoclosure () -> String) -> CompiledCohort? {
        let before = issues.count
        func prefix() -> String {
            let path = path()
            return path.isEmpty ? "" : "\(path)."
        }
        if !KeyRule.isValid(cohort.key) { issue("\(prefix())key", KeyRule.message("cohort", cohort.key)) }
        var attribute: AttributeRef?
        if cohort.attribute.isEmpty {
            issue("\(prefix())attribute", "attribute must not be empty")
        } else {
            attribute = self.attribute(cohort.attribute, path: "\(prefix())attribute")
        }
        if cohort.members.isEmpty && cohort.clauses.isEmpty {
            issue("\(prefix())members", "a cohort needs members or clauses")
        }
        let clauses = cohort.clauses.enumerated().compactMap { i, clause in
            compile(clause, path: "\(prefix())clauses[\(i)]", allowCohorts: false)
        }
        guard issues.count == before, let attribute else { return nil }
        return CompiledCohort(key: cohort.key, attribute: attribute, members: cohort.members, clauses: clauses)
    }
}

/// A flag's variants by key. Flags have a handful, so lookups scan them (cheaper than
/// hashing); a flag with many gets a dictionary as well.
struct ResolvedVariants {
    private var list: [ResolvedVariant] = []
    private var index: [String: Int]?

    private static var linearLimit: Int { 16 }

    init(capacity: Int) {
        list.reserveCapacity(capacity)
    }

    /// Adds `variant`, whose key must not be here yet.
    mutating func add(_ variant: ResolvedVariant) {
        list.append(variant)
        if index != nil {
            index?[variant.key] = list.count - 1
        } else if list.count > Self.linearLimit {
            index = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($0.element.key, $0.offset) })
        }
    }

    subscript(key: String) -> ResolvedVariant? {
        if let index { return index[key].map { list[$0] } }
        for variant in list where variant.key == key { return variant }
        return nil
    }

    var keys: [String] { list.map(\.key) }
}
