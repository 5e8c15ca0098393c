import ClutchAPI
import Foundation

/// What the provider's groups claim makes of a person at each sign-in: the highest role any of
/// their groups maps to (`--oidc-role`), in the union of that role's environments (everywhere if
/// one of its mappings names none); without one, a viewer when their email's domain is allowed
/// (`--oidc-allowed-domain`); otherwise nothing, and they may not sign in.
enum OIDCGrant {
    /// The grant `identity` signs in with, or why there is none (one sentence for the page).
    static func decide(_ identity: OIDCIdentity, settings: OIDCSettings) -> Result<AccessGrant, OIDCError> {
        let groups = Set(identity.groups)
        let matching = settings.roles.filter { groups.contains($0.group) }
        if let top = matching.map(\.grant.role).max() {
            let highest = matching.filter { $0.grant.role == top }
            let everywhere = highest.contains { $0.grant.environments.isEmpty }
            return .success(AccessGrant(role: top, environments: everywhere ? [] : highest.flatMap(\.grant.environments)))
        }
        let domain = identity.email.split(separator: "@").last.map { $0.lowercased() } ?? ""
        if settings.allowedDomains.contains(domain) { return .success(AccessGrant(role: .viewer)) }
        return .failure(OIDCError(
            "\(identity.email) may not sign in to Clutch: none of their groups has a role here, and \(domain) is not an allowed domain. Ask an owner to add you"))
    }
}
