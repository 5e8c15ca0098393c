import Hummingbird
import NIOCore

/// Per-request state: who is calling, once the credential middleware has run.
public struct ClutchRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; set by ``CredentialMiddleware``.
    public var principal: Principal?
    /// The web console's session, on `/ui` routes that need one; set by ``ConsoleGuard``.
    var consoleSession: ConsoleSession?
    /// The console POST's form fields, read (and its CSRF token checked) by ``ConsoleGuard``.
    var consoleForm: [String: String] = [:]
    /// The connection, so that a stream whose reader stalls can be closed from outside its task.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.consoleSession = nil
        self.channel = source.channel
    }

    /// Bodies over 1 MiB are refused with 413.
    public var maxUploadSize: Int { APILimits.maxBodySize }
}

/// Limits the API promises in docs/api.md.
enum APILimits {
    /// The largest body of any request but an import (`ServerLimits.maxImportBytes`).
    static let maxBodySize = 1 << 20

    /// `1 MiB`, `64 MiB`, `512 KiB` or `N bytes`.
    static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
