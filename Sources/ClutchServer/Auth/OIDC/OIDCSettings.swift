import ClutchAPI
import Foundation

/// Single sign-on through an OpenID Connect provider (`clutch serve --oidc-issuer …`): who the
/// provider is, how Clutch is registered with it, and which of its people may sign in as what.
public struct OIDCSettings: Sendable, Equatable {
    /// The provider's issuer URL (`--oidc-issuer`): its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`, and every ID token must name it as `iss`.
    public var issuer: String
    /// Clutch's client id at the provider (`--oidc-client-id`): every ID token's audience.
    public var clientID: String
    /// The client secret (read from `--oidc-client-secret-file`, never from the command line,
    /// where other users of the machine could read it): sent only to the token endpoint.
    public var clientSecret: String
    /// The ID token claim that lists a person's groups (`--oidc-groups-claim`, default `groups`).
    public var groupsClaim: String
    /// Which groups give which role (`--oidc-role GROUP=ROLE[:ENV,ENV]`), in the order given.
    public var roles: [OIDCRoleMapping]
    /// Email domains whose people may sign in as viewers when no group gives them a role
    /// (`--oidc-allowed-domain`), lowercased.
    public var allowedDomains: [String]

    public init(
        issuer: String, clientID: String, clientSecret: String, groupsClaim: String = "groups",
        roles: [OIDCRoleMapping] = [], allowedDomains: [String] = []
    ) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.groupsClaim = groupsClaim
        self.roles = roles
        self.allowedDomains = allowedDomains.map { $0.lowercased() }
    }

    /// The issuer without a trailing slash, as discovery and `iss` are compared with it.
    var normalizedIssuer: String {
        issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
    }

    /// How the sign-in page names the provider ("Sign in with id.example.com"): the issuer's host.
    var displayName: String {
        URL(string: issuer)?.host ?? issuer
    }

    /// Refuses settings the server must not start with; the message names the option and never
    /// holds the secret.
    func validate() throws(ServerConfigurationError) {
        guard let url = URL(string: issuer), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil, url.query == nil, url.fragment == nil
        else {
            throw ServerConfigurationError("--oidc-issuer must be the provider's http(s) URL, got '\(issuer)'")
        }
        // The code and the ID token travel between the servers: plain http only to this machine.
        if scheme == "http", !Self.isLoopback(url.host ?? "") {
            throw ServerConfigurationError("--oidc-issuer must be https (http only for a provider on this machine), got '\(issuer)'")
        }
        guard !clientID.isEmpty else { throw ServerConfigurationError("--oidc-client-id must not be empty") }
        guard !clientSecret.isEmpty else { throw ServerConfigurationError("--oidc-client-secret-file holds no secret") }
        guard !groupsClaim.isEmpty else { throw ServerConfigurationError("--oidc-groups-claim must not be empty") }
        for domain in allowedDomains where domain.isEmpty || domain.contains("@") || domain.contains(" ") {
            throw ServerConfigurationError("--oidc-allowed-domain must be a domain such as example.com, got '\(domain)'")
        }
        guard !roles.isEmpty || !allowedDomains.isEmpty else {
            throw ServerConfigurationError("single sign-on needs --oidc-role GROUP=ROLE or --oidc-allowed-domain DOMAIN: nobody could sign in")
        }
    }

    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

/// One `--oidc-role GROUP=ROLE[:ENV,ENV]`: members of `group` get ``grant`` (a role, in the
/// environments given, all when none).
public struct OIDCRoleMapping: Sendable, Equatable {
    public var group: String
    public var grant: AccessGrant

    public init(group: String, grant: AccessGrant) {
        self.group = group
        self.grant = grant
    }

    /// Reads `GROUP=ROLE[:ENV,ENV]`. The error is one line naming the option.
    public static func parse(_ text: String) throws(ServerConfigurationError) -> OIDCRoleMapping {
        let roles = Role.allCases.map(\.rawValue).joined(separator: ", ")
        let usage = "--oidc-role must be GROUP=ROLE[:ENV,ENV] with ROLE one of \(roles), got '\(text)'"
        guard let equals = text.lastIndex(of: "=") else { throw ServerConfigurationError(usage) }
        let group = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        let parts = text[text.index(after: equals)...].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard !group.isEmpty, let role = Role(rawValue: parts[0].trimmingCharacters(in: .whitespaces)) else {
            throw ServerConfigurationError(usage)
        }
        var environments: [String] = []
        if parts.count == 2 {
            environments = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !environments.isEmpty else { throw ServerConfigurationError(usage) }
        }
        return OIDCRoleMapping(group: group, grant: AccessGrant(role: role, environments: environments))
    }
}
