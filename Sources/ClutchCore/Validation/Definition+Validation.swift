extension Flag {
    /// Every problem in this flag, with field paths relative to the flag.
    ///
    /// - Parameter cohorts: the cohort keys that exist, by environment; `nil` skips the
    ///   check that cohorts named in rules exist.
    public func validationIssues(cohorts: [String: Set<String>]? = nil) -> [ValidationIssue] {
        var flagCompiler = Compiler(cohorts: nil)
        let variants = flagCompiler.variants(of: self)
        var issues = flagCompiler.issues
        if let owner, let problem = OwnerRule.problem(owner) { issues.append(ValidationIssue(path: "owner", message: problem)) }
        for (environment, state) in environments.sorted(by: { $0.key < $1.key }) {
            let path = "environments.\(environment)"
            if !KeyRule.isValid(environment) {
                issues.append(ValidationIssue(path: path, message: KeyRule.message("environment", environment)))
                continue
            }
            let known = cohorts.map { all in
                Dictionary(uniqueKeysWithValues: (all[environment] ?? []).map {
                    ($0, CompiledCohort(key: $0, attribute: .customerId, members: [], clauses: []))
                })
            }
            var compiler = Compiler(cohorts: known)
            _ = compiler.compile(self, state: state, variants: variants, path: path)
            issues += compiler.issues
        }
        return issues
    }

    /// Throws a ``ValidationError`` listing every problem, if there is any.
    public func validate(cohorts: [String: Set<String>]? = nil) throws(ValidationError) {
        let issues = validationIssues(cohorts: cohorts)
        if !issues.isEmpty { throw ValidationError(issues) }
    }
}

extension Cohort {
    /// Every problem in this cohort, with field paths relative to the cohort.
    public func validationIssues() -> [ValidationIssue] {
        var compiler = Compiler(cohorts: nil)
        _ = compiler.compile(self, path: "")
        return compiler.issues
    }

    /// Throws a ``ValidationError`` listing every problem, if there is any.
    public func validate() throws(ValidationError) {
        let issues = validationIssues()
        if !issues.isEmpty { throw ValidationError(issues) }
    }
}

extension ClutchDocument {
    /// Every problem in the document: duplicate keys, invalid cohorts, and invalid flags
    /// including rules naming cohorts the document does not define.
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        var cohortKeys: [String: Set<String>] = [:]
        for (environment, cohorts) in self.cohorts.sorted(by: { $0.key < $1.key }) {
            if !KeyRule.isValid(environment) {
                issues.append(ValidationIssue(path: "cohorts.\(environment)", message: KeyRule.message("environment", environment)))
            }
            var seen = Set<String>()
            for (i, cohort) in cohorts.enumerated() {
                let path = "cohorts.\(environment)[\(i)]"
                if !seen.insert(cohort.key).inserted {
                    issues.append(ValidationIssue(path: "\(path).key", message: "duplicate cohort '\(cohort.key)'"))
                }
                issues += cohort.validationIssues().map { ValidationIssue(path: "\(path).\($0.path)", message: $0.message) }
            }
            cohortKeys[environment] = seen
        }
        var seen = Set<String>()
        for (i, flag) in flags.enumerated() {
            let path = "flags[\(i)]"
            if !seen.insert(flag.key).inserted {
                issues.append(ValidationIssue(path: "\(path).key", message: "duplicate flag '\(flag.key)'"))
            }
            issues += flag.validationIssues(cohorts: cohortKeys).map { ValidationIssue(path: "\(path).\($0.path)", message: $0.message) }
        }
        return issues
    }

    /// Throws a ``ValidationError`` listing every problem, if there is any.
    public func validate() throws(ValidationError) {
        let issues = validationIssues()
        if !issues.isEmpty { throw ValidationError(issues) }
    }
}
