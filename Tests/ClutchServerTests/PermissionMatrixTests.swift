import ClutchAPI
import ClutchCore
import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// Every admin route × every role and token kind against a real server, expected from the role
/// table in README.md ("Roles", its `actions` column), so that the README, the policy and the
/// route table cannot drift apart: nothing is allowed that the table does not allow, nothing it
/// allows is refused, a refusal is 403 naming who and changes nothing, and an expired, revoked or
/// removed person's token gets 401 everywhere.
@Suite("Permission matrix")
struct PermissionMatrixTests {
    /// What each admin route is, as the README's actions name them: the test's own reading of
    /// the routes, compared with what the server does (and with the server's table's keys).
    static let routeActions: [String: String] = [
        "GET flags": "read", "POST flags": "edit everywhere", "GET flags/stale": "read", "GET flags/{key}": "read",
        "PUT flags/{key}": "edit everywhere", "DELETE flags/{key}": "edit everywhere", "POST flags/{key}/restore": "edit everywhere",
        "POST flags/{key}/archive": "edit everywhere", "POST flags/{key}/unarchive": "edit everywhere",
        "PUT flags/{key}/environments/{env}": "edit", "POST flags/{key}/environments/{env}/on": "edit",
        "POST flags/{key}/environments/{env}/off": "respond", "POST flags/{key}/kill": "respond",
        "POST flags/{key}/environments/{env}/changes": "edit", "GET flags/{key}/revisions": "read",
        "GET flags/{key}/revisions/{number}": "read", "GET flags/{key}/diff": "read", "POST flags/{key}/rollback": "edit",
        "POST flags/{key}/environments/{env}/release": "edit", "GET flags/{key}/environments/{env}/release": "read",
        "POST flags/{key}/environments/{env}/release/pause": "respond", "POST flags/{key}/environments/{env}/release/resume": "edit",
        "POST flags/{key}/environments/{env}/release/abort": "respond", "GET environments/{env}/cohorts": "read",
        "POST environments/{env}/cohorts": "edit", "GET environments/{env}/cohorts/{key}": "read",
        "PUT environments/{env}/cohorts/{key}": "edit", "DELETE environments/{env}/cohorts/{key}": "edit",
        "POST environments/{env}/cohorts/{key}/members": "edit", "POST environments/{env}/cohorts/{key}/changes": "edit",
        "GET environments": "read", "POST environments": "administer", "POST environments/{env}/keys": "administer",
        "GET keys": "administer", "DELETE keys/{id}": "administer", "POST environments/{env}/explain": "read", "GET audit": "read",
        "GET status": "read", "GET export": "read", "POST import": "edit everywhere", "POST schedules": "edit",
        "GET schedules": "read", "GET schedules/{scheduleId}": "read", "DELETE schedules/{scheduleId}": "edit",
        "POST webhooks": "administer", "GET webhooks": "administer", "DELETE webhooks/{webhookId}": "administer",
        "GET webhooks/{webhookId}/deliveries": "administer", "GET users": "administer", "POST users": "administer",
        "PUT users/{email}/role": "administer", "DELETE users/{email}": "administer", "GET tokens": "read",
        "POST tokens": "read", "DELETE tokens/{id}": "administer", "GET me": "read", "GET cleanup": "read",
        "POST code-refs": "edit everywhere", "GET code-refs": "read", "GET flags/{key}/code-refs": "read",
        "GET export/flagd": "read",
        "GET environments/{env}/attributes": "read",
        "GET flags/{key}/usage": "read",
        "GET environments/{env}": "read", "PATCH environments/{env}": "administer", "POST change-requests": "edit",
        "GET change-requests": "read", "GET change-requests/{requestId}": "read", "PATCH change-requests/{requestId}": "edit",
        "POST change-requests/{requestId}/reviews": "edit", "POST change-requests/{requestId}/apply": "edit",
        "POST change-requests/{requestId}/cancel": "edit",
        "POST blocks": "block", "GET blocks": "read", "DELETE blocks/{id}": "block",
    ]

    /// The README's role table: each role's actions (the `actions` column).
    static func readmeActions() throws -> [Role: Set<String>] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        var table: [Role: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3, let role = Role(rawValue: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))) else { continue }
            table[role] = Set(cells[2].split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) })
        }
        guard Set(table.keys) == Set(Role.allCases) else { throw TestFailure("README.md's role table names \(table.keys), not every role") }
        return table
    }

    /// A caller of the matrix: its secret, its actor, and the role the README's table gives it in
    /// production (`nil`: its credential no longer works).
    struct Caller: Sendable {
        let label: String
        let secret: String
        let actor: String
        let role: Role?
    }

    @Test("every admin route answers every role and token kind as the README's role table says")
    func everyRouteAnswersEveryCallerAsTheReadmeSays() async throws {
        let actions = try Self.readmeActions()
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            let services = server.application.services
            let store = services.store
            let admin = ChangeInfo(actor: "matrix")
            var callers = [Caller(label: "bootstrap service owner", secret: TestServer.adminToken, actor: "admin (service token)", role: .owner)]
            for role in Role.allCases {
                let (person, _) = try await store.createPerson(PersonCreate(email: "\(role.rawValue)@example.com", role: role), change: admin)
                let (token, secret) = try await store.createToken(TokenCreate(name: "laptop"), personID: person.id, change: admin)
                callers.append(Caller(label: "personal \(role.rawValue)", secret: secret, actor: token.actor, role: role))
                if role != .owner {
                    let (service, secret) = try await store.createToken(
                        TokenCreate(name: "ci-\(role.rawValue)", service: true, role: role), personID: nil, change: admin)
                    callers.append(Caller(label: "service \(role.rawValue)", secret: secret, actor: service.actor, role: role))
                }
            }
            let owner = try await store.person(email: "owner@example.com")
            // An editor of staging only: "elsewhere a responder", and the matrix asks in production.
            let (narrowed, narrowedSecret) = try await store.createToken(
                TokenCreate(name: "narrowed", role: .editor, environments: ["staging"]), personID: owner.id, change: admin)
            callers.append(Caller(label: "narrowed to editor of staging", secret: narrowedSecret, actor: narrowed.actor, role: .responder))
            let (_, expiring) = try await store.createToken(TokenCreate(name: "short", expiresInDays: 1), personID: owner.id, change: admin)
            callers.append(Caller(label: "expired", secret: expiring, actor: "", role: nil))
            let (revoked, revokedSecret) = try await store.createToken(TokenCreate(name: "old"), personID: owner.id, change: admin)
            _ = try await store.revokeToken(id: revoked.id, change: admin)
            callers.append(Caller(label: "revoked", secret: revokedSecret, actor: "", role: nil))
            let (gone, _) = try await store.createPerson(PersonCreate(email: "gone@example.com", role: .owner), change: admin)
            let (_, goneSecret) = try await store.createToken(TokenCreate(name: "laptop"), personID: gone.id, change: admin)
            _ = try await store.removePerson(email: "gone@example.com", change: admin)
            callers.append(Caller(label: "removed person", secret: goneSecret, actor: "", role: nil))
            // What the routes act on.
            _ = try await store.createPerson(PersonCreate(email: "victim@example.com", role: .viewer), change: admin)
            let (victimToken, _) = try await store.createToken(TokenCreate(name: "victim", service: true, role: .viewer), personID: nil, change: admin)
            try await services.refreshCredentials()
            clock.advance(by: .seconds(2 * 86400))
            try await server.mustSend("POST", "/api/v1/flags", body: #"{"key": "matrix"}"#, expected: 201)
            try await server.mustSend("POST", "/api/v1/environments/production/cohorts", body: #"{"key": "matrix", "members": ["a"]}"#, expected: 201)
            let schedule = try await server.mustSend(
                "POST", "/api/v1/schedules",
                body: #"{"flag": "matrix", "environment": "production", "instructions": [{"kind": "turnOn"}], "at": "2099-01-01T00:00:00Z"}"#,
                expected: 201)
            let scheduleID = try #require(schedule["id"]?.stringValue)
            let request = try await store.openChangeRequest(
                ChangeRequestCreate(flag: "matrix", environment: "production", instructions: [.turnOn]), identity: "person:matrix",
                change: admin)

            // Every route the server serves under /api/v1 is in the test's list and in the server's table.
            let served = server.application.routes.compactMap { route -> String? in
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                return AdminAccess.key(method: parts[0], path: parts[1])
            }
            #expect(Set(served) == Set(Self.routeActions.keys), "routes the test does not know, or knows but the server does not serve")
            for route in served {
                #expect(AdminAccess.table[route] != nil, "\(route) has no entry in the access table")
            }

            // Deletions last, so that the routes before them find what they act on.
            let routes = served.sorted { ($0.hasPrefix("DELETE") ? 1 : 0, $0) < ($1.hasPrefix("DELETE") ? 1 : 0, $1) }
            var made = 0
            func lastAudit() async throws -> Value? {
                try await server.mustSend("GET", "/api/v1/audit?limit=1")["events[0].id"]
            }
            for route in routes {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let (method, template) = (parts[0], parts[1])
                let path = "/api/v1/" + template.split(separator: "/").map { segment -> String in
                    switch segment {
                    case "{key}": "matrix"
                    case "{env}": "production"
                    case "{number}": "1"
                    case "{scheduleId}": scheduleID
                    case "{requestId}": "\(request.id)"
                    case "{webhookId}": "wh_none"
                    case "{email}": "victim@example.com"
                    case "{id}": template.hasPrefix("tokens") ? victimToken.id : "k_none"
                    default: String(segment)
                    }
                }.joined(separator: "/")
                let action = try #require(Self.routeActions[route])
                for caller in callers {
                    made += 1
                    let body = Self.body(route, serial: made)
                    let before = method == "GET" ? nil : try await lastAudit()
                    let reply = try await server.send(method, path, body: body, as: .bearer(caller.secret))
                    let what = "\(caller.label): \(method) \(path) → \(reply.status) \(reply.text.prefix(300))"
                    guard let role = caller.role else {
                        #expect(reply.status == 401, "\(what)")
                        continue
                    }
                    // "edit everywhere" is the table's `edit`, for a caller whose role holds everywhere.
                    let needed = action.hasPrefix("edit") ? "edit" : action
                    if actions[role]?.contains(needed) == true {
                        #expect(reply.status != 403 && reply.status != 401, "allowed but refused — \(what)")
                    } else {
                        #expect(reply.status == 403, "refused by the README but allowed — \(what)")
                        #expect(reply.errorCode == "forbidden", "\(what)")
                        #expect(reply["error.message"]?.stringValue?.hasPrefix(caller.actor + " is ") == true, "\(what)")
                        if method != "GET" {
                            #expect(try await lastAudit() == before, "a refused request changed something — \(what)")
                        }
                    }
                }
            }
        }
    }

    /// A body each route accepts (or refuses on its merits, never on its shape before the policy).
    static func body(_ route: String, serial: Int) -> String? {
        switch route {
        case "POST flags": #"{"key": "made-\#(serial)"}"#
        case "PUT flags/{key}/environments/{env}": #"{"enabled": false}"#
        case "POST flags/{key}/kill": "{}"
        case "POST flags/{key}/environments/{env}/changes": #"{"instructions": [{"kind": "turnOn"}]}"#
        case "POST flags/{key}/rollback": #"{"environment": "production"}"#
        case "POST flags/{key}/environments/{env}/release": "{}"
        case "POST environments/{env}/cohorts": #"{"key": "made-\#(serial)"}"#
        case "POST environments/{env}/cohorts/{key}/members": #"{"add": ["m\#(serial)"]}"#
        case "POST environments/{env}/cohorts/{key}/changes": #"{"instructions": []}"#
        case "POST environments": #"{"key": "made-\#(serial)"}"#
        case "POST environments/{env}/keys": #"{"name": "made"}"#
        case "POST environments/{env}/explain": #"{"flag": "matrix"}"#
        case "POST import": #"{"flags": []}"#
        case "POST schedules":
            #"{"flag": "matrix", "environment": "production", "instructions": [{"kind": "turnOn"}], "at": "2099-01-01T00:00:00Z"}"#
        case "POST webhooks": #"{"url": "https://example.com/hook", "secret": "0123456789abcdef0123456789abcdef"}"#
        case "POST users": #"{"email": "new-\#(serial)@example.com", "role": "viewer"}"#
        case "PUT users/{email}/role": #"{"role": "responder"}"#
        case "POST tokens": #"{"name": "mine"}"#
        case "PATCH environments/{env}": #"{"protection": null}"#
        case "POST change-requests": #"{"flag": "matrix", "environment": "production", "instructions": [{"kind": "turnOn"}]}"#
        case "PATCH change-requests/{requestId}": #"{"instructions": [{"kind": "turnOn"}]}"#
        case "POST change-requests/{requestId}/reviews": #"{"verdict": "approve"}"#
        // In staging, so that the production routes after it are not refused by the block.
        case "POST blocks": #"{"environment": "staging", "flag": "matrix", "reason": "matrix \#(serial)"}"#
        default: nil
        }
    }

    @Test("a narrowed token may change its environment and is refused elsewhere, naming its role there")
    func aNarrowedTokenMayChangeItsEnvironmentOnly() async throws {
        try await TestServer.with { server in
            let store = server.application.services.store
            let (bob, _) = try await store.createPerson(PersonCreate(email: "bob@example.com", role: .editor), change: ChangeInfo(actor: "t"))
            let (_, secret) = try await store.createToken(
                TokenCreate(name: "laptop", environments: ["staging"]), personID: bob.id, change: ChangeInfo(actor: "t"))
            try await server.application.services.refreshCredentials()
            try await server.mustSend("POST", "/api/v1/flags", body: #"{"key": "checkout"}"#, expected: 201)
            let staging = try await server.send("POST", "/api/v1/flags/checkout/environments/staging/on", as: .bearer(secret))
            #expect(staging.status == 200)
            let production = try await server.send("POST", "/api/v1/flags/checkout/environments/production/on", as: .bearer(secret))
            #expect(production.status == 403)
            #expect(production["error.message"] == .string("laptop (token of bob@example.com) is a responder in production; changing it needs editor"))
            // Turning it off is a responder's, everywhere.
            #expect(try await server.send("POST", "/api/v1/flags/checkout/environments/production/off", as: .bearer(secret)).status == 200)
            let history = try await server.mustSend("GET", "/api/v1/flags/checkout/revisions")
            #expect(history["revisions[0].actor"] == .string("laptop (token of bob@example.com)"))
        }
    }
}
