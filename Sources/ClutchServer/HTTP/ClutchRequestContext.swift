import Hummingbird

/// Per-request state: who is calling, once the credential middleware has run.
public struct ClutchRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; set by ``CredentialMiddleware``.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// Bodies over 1 MiB are refused with 413.
    public var maxUploadSize: Int { APILimits.maxBodySize }
}

/// Limits the API promises in docs/api.md.
enum APILimits {
    static let maxBodySize = 1 << 20
}
