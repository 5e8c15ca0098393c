/// A flag that must serve a given variant before another flag's targeting applies, as
/// LaunchDarkly has them: "serve new-checkout's targets, rules and default only to contexts for
/// which payments-v2 is on and serves `on`". Prerequisites belong to one environment's state.
///
/// A prerequisite holds for a context when flag `flag` exists in the environment, is on there,
/// and serves `variant` to that context. When one does not, the flag serves its off variant
/// with reason `PREREQUISITE_FAILED`.
public struct Prerequisite: Sendable, Hashable {
    /// The key of the flag required.
    public var flag: String
    /// The variant of `flag` that it must serve.
    public var variant: String

    public init(flag: String, variant: String) {
        self.flag = flag
        self.variant = variant
    }
}

extension Prerequisite: Codable {
    enum CodingKeys: String, CodingKey { case flag, variant }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(flag: try c.decode(String.self, forKey: .flag), variant: try c.decode(String.self, forKey: .variant))
    }
}
