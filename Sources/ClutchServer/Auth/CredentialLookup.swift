import ClutchStore

/// Who a presented credential belongs to: the in-memory cache, and — on a database replicas share —
/// the store after a miss, so that a key created through another replica works here at once,
/// before that replica's notification arrives (``CredentialReloader/reloadAfterMiss()``).
/// Known credentials are answered from memory without waiting.
struct CredentialLookup: Sendable {
    let cache: CredentialCache
    /// `nil` on a SQLite file: one server, whose cache is the whole truth.
    let reloader: CredentialReloader?
    /// The server's clock: a token past its expiry is refused from that moment, whenever the
    /// cache was last loaded.
    let clock: any ServerClock

    /// The principal whose secret has this digest, if any (an expired token has none).
    func principal(for digest: CredentialCache.Digest) async -> Principal? {
        if let found = cache.principal(for: digest) { return unexpired(found) }
        guard let reloader, await reloader.reloadAfterMiss() else { return nil }
        return cache.principal(for: digest).flatMap(unexpired)
    }

    /// The member `id` (a console session's person), if not removed; like a credential, one
    /// added through another replica is looked up in the store after a miss.
    func person(id: String) async -> PersonAccess? {
        if let found = cache.person(id: id) { return found }
        guard let reloader, await reloader.reloadAfterMiss() else { return nil }
        return cache.person(id: id)
    }

    private func unexpired(_ principal: Principal) -> Principal? {
        if let expiresAt = principal.token?.expiresAt, expiresAt <= clock.now() { return nil }
        return principal
    }

    /// The SDK key principal of an OFREP events token, if it is genuine and the key is active.
    func principal(forEventsToken token: String) async -> Principal? {
        if let found = cache.principal(forEventsToken: token) { return found }
        guard let reloader, await reloader.reloadAfterMiss() else { return nil }
        return cache.principal(forEventsToken: token)
    }
}
