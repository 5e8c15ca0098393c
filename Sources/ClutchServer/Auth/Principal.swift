import ClutchAPI

/// Who is calling: an admin (by token name) or an SDK key of one kind reading one environment.
public enum Principal: Sendable, Hashable {
    case admin(name: String)
    case sdk(keyID: String, environment: String, kind: SDKKeyKind)
}
