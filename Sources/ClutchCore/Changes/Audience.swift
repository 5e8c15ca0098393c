/// Who is targeted by name: what `clutch target`/`untarget` and the console's audience
/// controls edit, one definition for both.
public enum Audience: Sendable, Hashable {
    /// Contexts whose `role` contains `admin`. A rule, not an individual target, because
    /// `role` may be an array (`["admin", "beta"]`) and rules match arrays element-wise.
    case admins
    /// Whole customers by `customerId`.
    case customers([String])
    /// Individual users by `targetingKey`.
    case users([String])
    /// Members of a cohort (rule `in cohort NAME`).
    case cohort(String)

    /// The clauses of the admins rule.
    public static let adminClauses = [Clause(attribute: "role", .in, ["admin"])]

    /// The rule clauses for rule-based audiences.
    public var ruleClauses: [Clause]? {
        switch self {
        case .admins: return Audience.adminClauses
        case .cohort(let name): return [Clause.inCohort(name)]
        case .customers, .users: return nil
        }
    }

    /// The attribute and values for individually targeted audiences.
    public var individual: (attribute: String, values: [String])? {
        switch self {
        case .customers(let ids): return ("customerId", ids)
        case .users(let ids): return ("targetingKey", ids)
        case .admins, .cohort: return nil
        }
    }

    /// For people: `admins`, `customers acme, globex`.
    public var label: String {
        switch self {
        case .admins: return "admins"
        case .customers(let ids): return "customers \(ids.joined(separator: ", "))"
        case .users(let ids): return "users \(ids.joined(separator: ", "))"
        case .cohort(let name): return "cohort \(name)"
        }
    }
}

extension FlagState {
    /// Serves `variant` to `audience`. Individual values move out of targets serving another
    /// variant (a context gets one answer); rules for admins and cohorts go first so they
    /// win over broader rules, and an existing identical rule is updated in place.
    public mutating func target(_ audience: Audience, variant: String) {
        if let clauses = audience.ruleClauses {
            if let i = rules.firstIndex(where: { $0.clauses == clauses }) {
                rules[i].serve = .variant(variant)
            } else {
                rules.insert(Rule(clauses: clauses, serve: .variant(variant)), at: 0)
            }
        }
        if let (attribute, values) = audience.individual {
            for i in targets.indices where targets[i].attribute == attribute && targets[i].variant != variant {
                targets[i].values.removeAll { values.contains($0) }
            }
            if let i = targets.firstIndex(where: { $0.attribute == attribute && $0.variant == variant }) {
                for value in values where !targets[i].values.contains(value) { targets[i].values.append(value) }
            } else {
                targets.append(Target(variant: variant, attribute: attribute, values: values))
            }
            targets.removeAll { $0.values.isEmpty }
        }
    }

    /// Stops targeting `audience` (only where it gets `variant`, when given).
    public mutating func untarget(_ audience: Audience, variant: String?) {
        if let clauses = audience.ruleClauses {
            rules.removeAll { $0.clauses == clauses && (variant == nil || $0.serve.variant == variant) }
        }
        if let (attribute, values) = audience.individual {
            for i in targets.indices where targets[i].attribute == attribute && (variant == nil || targets[i].variant == variant) {
                targets[i].values.removeAll { values.contains($0) }
            }
            targets.removeAll { $0.values.isEmpty }
        }
    }
}

extension FlagState {
    /// Targeting someone means everyone else does not get it yet: a state still on the
    /// flag's natural default (`on` for booleans) gets an explicit default of the off
    /// variant, so that switching the flag on later serves only the people targeted.
    public mutating func pinDefaultToOff(of flag: Flag) {
        if self.default == nil { self.default = .variant(flag.offVariant) }
    }
}

extension Flag {
    /// The variant targeting serves unless told otherwise: `on` for boolean flags, otherwise
    /// the flag's natural default.
    public var targetingVariant: String { naturalDefault.variant ?? offVariant }
}
