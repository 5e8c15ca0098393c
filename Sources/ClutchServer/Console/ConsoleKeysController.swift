import ClutchStore
import Foundation
import Hummingbird

/// `/ui/keys`: the SDK keys, each with its environment and kind, so that whoever wires an app can
/// tell a secret server key from a public client key. Read-only (keys are made with `clutch keys
/// create` or the API, and their secrets are never shown again).
struct ConsoleKeysController {
    let services: ServerServices
    let pages: ConsolePages

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("keys", use: keys)
    }

    @Sendable func keys(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let now = services.clock.now()
        let iso = ISO8601DateFormatter()
        let keys = try await services.store.sdkKeys()
        let values: [String: Any] = [
            "title": "SDK keys", "session": session.templateValues,
            "keys": keys.map { key -> [String: Any] in
                var row: [String: Any] = [
                    "id": key.id, "name": key.name, "environment": key.environment, "kind": key.kind.rawValue,
                    "client": key.kind == .client, "created": ConsoleFormat.time(key.createdAt, now: now),
                    "createdISO": iso.string(from: key.createdAt),
                ]
                if let revoked = key.revokedAt { row["revoked"] = ConsoleFormat.time(revoked, now: now) }
                return row
            },
        ]
        return pages.render("keys", values)
    }
}
