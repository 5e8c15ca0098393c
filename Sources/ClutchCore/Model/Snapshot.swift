/// Everything needed to evaluate flags in one environment: what the SDK downloads,
/// caches and streams, and what the server compiles into an ``Engine``.
///
/// Each flag's `environments` holds only this environment's state.
public struct Snapshot: Sendable, Hashable, Codable {
    public var environment: String
    /// Increases with every change in the environment; SSE event ids and ETags derive from it.
    public var version: Int64
    public var flags: [Flag]
    public var cohorts: [Cohort]

    /// Cohort members are kept sorted by their UTF-8 bytes without repeats (``MemberOrder``), as
    /// the store reads them, so that membership changes apply by binary search.
    public init(environment: String, version: Int64 = 0, flags: [Flag] = [], cohorts: [Cohort] = []) {
        self.environment = environment
        self.version = version
        self.flags = flags
        self.cohorts = cohorts.map { cohort in
            var cohort = cohort
            cohort.members = MemberOrder.sorted(cohort.members)
            return cohort
        }
    }

    enum CodingKeys: String, CodingKey { case environment, version, flags, cohorts }

    /// Unknown keys are ignored: a newer server may send more.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            environment: try c.decode(String.self, forKey: .environment),
            version: try c.decode(Int64.self, forKey: .version),
            flags: try c.decode([Flag].self, forKey: .flags),
            cohorts: try c.decode([Cohort].self, forKey: .cohorts))
    }
}

/// All flags and cohorts of a Clutch instance as one document, for export and import.
public struct ClutchDocument: Sendable, Hashable, Codable {
    /// Flags with their state in every environment.
    public var flags: [Flag]
    /// Cohorts by environment name.
    public var cohorts: [String: [Cohort]]

    public init(flags: [Flag] = [], cohorts: [String: [Cohort]] = [:]) {
        self.flags = flags
        self.cohorts = cohorts
    }

    enum CodingKeys: String, CodingKey { case flags, cohorts }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        flags = try c.decodeIfPresent([Flag].self, forKey: .flags) ?? []
        cohorts = try c.decodeIfPresent([String: [Cohort]].self, forKey: .cohorts) ?? [:]
    }

    /// The document's content for one environment, as an SDK would see it.
    public func snapshot(for environment: String, version: Int64 = 0) -> Snapshot {
        let flags = self.flags.filter { !$0.archived }.map { flag in
            var flag = flag
            flag.environments = [environment: flag.state(in: environment)]
            return flag
        }
        return Snapshot(environment: environment, version: version, flags: flags, cohorts: cohorts[environment] ?? [])
    }
}
