import ArgumentParser
import ClutchServer
import Foundation

/// `clutch serve`'s single sign-on options (`--oidc-…`, or `CLUTCH_OIDC_…`): all of them
/// follow `--oidc-issuer`, and any of them without it is refused.
struct OIDCOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Turn on single sign-on with this OpenID Connect provider, found by discovery at URL/.well-known/openid-configuration (or CLUTCH_OIDC_ISSUER).",
        valueName: "url"))
    var oidcIssuer: String?

    @Option(name: .customLong("oidc-client-id"), help: ArgumentHelp("Clutch's client id at the provider (or CLUTCH_OIDC_CLIENT_ID).", valueName: "id"))
    var oidcClientID: String?

    @Option(help: ArgumentHelp(
        "The file holding the client secret, kept off the command line (or CLUTCH_OIDC_CLIENT_SECRET_FILE).", valueName: "path"))
    var oidcClientSecretFile: String?

    @Option(help: ArgumentHelp(
        "The ID token claim listing a person's groups (or CLUTCH_OIDC_GROUPS_CLAIM; default groups).", valueName: "claim"))
    var oidcGroupsClaim: String?

    @Option(name: .customLong("oidc-role"), help: ArgumentHelp(
        "Members of GROUP sign in with ROLE (viewer, responder, editor, owner), in the environments given (all when none); repeatable, the highest role wins (or CLUTCH_OIDC_ROLES, space-separated).",
        valueName: "GROUP=ROLE[:ENV,ENV]"))
    var oidcRoles: [String] = []

    @Option(name: .customLong("oidc-allowed-domain"), help: ArgumentHelp(
        "People with an email in DOMAIN and no role from a group sign in as viewers; repeatable (or CLUTCH_OIDC_ALLOWED_DOMAINS, comma-separated).",
        valueName: "domain"))
    var oidcAllowedDomains: [String] = []

    /// The settings these options (else the environment) give, `nil` without an issuer; a usage
    /// error, one line, when they are incomplete or wrong.
    func settings(_ environment: [String: String]) throws -> OIDCSettings? {
        func value(_ option: String?, _ variable: String) -> String? {
            if let option, !option.isEmpty { return option }
            if let text = environment[variable], !text.isEmpty { return text }
            return nil
        }
        let clientID = value(oidcClientID, "CLUTCH_OIDC_CLIENT_ID")
        let secretFile = value(oidcClientSecretFile, "CLUTCH_OIDC_CLIENT_SECRET_FILE")
        let groupsClaim = value(oidcGroupsClaim, "CLUTCH_OIDC_GROUPS_CLAIM")
        let roleTexts = oidcRoles.isEmpty
            ? (environment["CLUTCH_OIDC_ROLES"] ?? "").split(separator: " ").map(String.init) : oidcRoles
        let domains = (oidcAllowedDomains.isEmpty
            ? (environment["CLUTCH_OIDC_ALLOWED_DOMAINS"] ?? "").split(separator: ",").map(String.init) : oidcAllowedDomains)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let issuer = value(oidcIssuer, "CLUTCH_OIDC_ISSUER") else {
            if clientID != nil || secretFile != nil || groupsClaim != nil || !roleTexts.isEmpty || !domains.isEmpty {
                throw CLIError.usage("the --oidc-… options need --oidc-issuer URL (or CLUTCH_OIDC_ISSUER)")
            }
            return nil
        }
        guard let clientID else { throw CLIError.usage("--oidc-issuer needs --oidc-client-id (or CLUTCH_OIDC_CLIENT_ID)") }
        guard let secretFile else {
            throw CLIError.usage("--oidc-issuer needs --oidc-client-secret-file (or CLUTCH_OIDC_CLIENT_SECRET_FILE)")
        }
        let secret: String
        do {
            secret = try String(contentsOfFile: secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CLIError.usage("--oidc-client-secret-file: cannot read '\(secretFile)'")
        }
        let roles = try roleTexts.map { text in
            do {
                return try OIDCRoleMapping.parse(text)
            } catch {
                throw CLIError.usage("\(error)")
            }
        }
        return OIDCSettings(
            issuer: issuer, clientID: clientID, clientSecret: secret, groupsClaim: groupsClaim ?? "groups", roles: roles,
            allowedDomains: domains)
    }
}
