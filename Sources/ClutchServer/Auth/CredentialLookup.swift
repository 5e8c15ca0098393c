/// Who a presented credential belongs to: the in-memory cache, and — on a database replicas share —
/// the store after a miss, so that a key created through another replica works here at once,
/// before that replica's notification arrives (``CredentialReloader/reloadAfterMiss()``).
/// Known credentials are answered from memory without waiting.
struct CredentialLookup: Sendable {
    let cache: CredentialCache
    /// `nil` on a SQLite file: one server, whose cache is the whole truth.
    let reloader: CredentialReloader?

    /// The principal whose secret has this digest, if any.
    func principal(for digest: CredentialCache.Digest) async -> Principal? {
        if let found = cache.principal(for: digest) { return found }
        guard let reloader, await reloader.reloadAfterMiss() else { return nil }
        return cache.principal(for: digest)
    }

    /// The SDK key principal of an OFREP events token, if it is genuine and the key is active.
    func principal(forEventsToken token: String) async -> Principal? {
        if let found = cache.principal(forEventsToken: token) { return found }
        guard let reloader, await reloader.reloadAfterMiss() else { return nil }
        return cache.principal(forEventsToken: token)
    }
}
