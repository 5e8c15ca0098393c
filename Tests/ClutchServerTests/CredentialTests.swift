import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@Suite("Credentials")
struct CredentialTests {
    enum Presented: String, CaseIterable, Sendable {
        case none, wrong, revoked, admin, sdkProduction, sdkStaging, apiKeyProduction, clientProduction
    }

    /// (route, method, body) read in production.
    static let routes: [(String, String, String?)] = [
        ("GET", "/api/v1/flags", nil),
        ("POST", "/api/v1/flags", #"{"key": "made-by-matrix"}"#),
        ("GET", "/sdk/v1/flags", nil),
        ("POST", "/ofrep/v1/evaluate/flags/gate", #"{"context": {}}"#),
        ("POST", "/ofrep/v1/evaluate/flags", #"{"context": {}}"#),
    ]

    @Test func matrix() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "gate"}"#)
            let (_, production) = try await server.createKey("production", name: "web")
            let (_, staging) = try await server.createKey("staging", name: "web-staging")
            let (revokedID, revoked) = try await server.createKey("production", name: "old")
            let (_, client) = try await server.createKey("production", name: "ios", kind: "client")
            #expect(try await server.send("DELETE", "/api/v1/keys/\(revokedID)").status == 204)

            func credential(_ presented: Presented) -> TestServer.Credential {
                switch presented {
                case .none: .none
                case .wrong: .bearer("clutch_sdk_not-a-real-key")
                case .revoked: .bearer(revoked)
                case .admin: .admin
                case .sdkProduction: .bearer(production)
                case .sdkStaging: .bearer(staging)
                case .apiKeyProduction: .apiKey(production)
                case .clientProduction: .bearer(client)
                }
            }

            for (method, path, body) in Self.routes {
                let admin = path.hasPrefix("/api/")
                for presented in Presented.allCases {
                    let reply = try await server.send(method, path, body: body, as: credential(presented))
                    let expected: Int
                    switch presented {
                    case .none, .wrong, .revoked: expected = 401
                    case .admin: expected = admin ? (method == "POST" ? 201 : 200) : 403
                    case .sdkProduction, .sdkStaging, .apiKeyProduction: expected = admin ? 403 : 200
                    // A public key never reaches the environment's definition.
                    case .clientProduction: expected = admin || path.hasPrefix("/sdk/") ? 403 : 200
                    }
                    #expect(reply.status == expected, "\(method) \(path) with \(presented): \(reply.status) \(reply.text)")
                    if expected >= 400, path.hasPrefix("/ofrep/") {
                        // OFREP routes answer in OFREP's shape.
                        #expect(reply["errorCode"] == .string("GENERAL"), "\(reply.text)")
                    } else if expected >= 400 {
                        #expect(reply.errorCode == (expected == 401 ? "unauthorized" : "forbidden"), "\(reply.text)")
                    }
                    if presented == .clientProduction, expected == 403 {
                        // The refusal names the key's kind.
                        #expect(reply.text.contains("client key"), "\(reply.text)")
                    }
                }
            }
            // The key decides the environment: a staging key reads staging's snapshot, not production's.
            let stagingSnapshot = try await server.send("GET", "/sdk/v1/flags", as: .bearer(staging))
            #expect(stagingSnapshot["environment"] == .string("staging"))
            let productionSnapshot = try await server.send("GET", "/sdk/v1/flags", as: .bearer(production))
            #expect(productionSnapshot["environment"] == .string("production"))
            // The refused POSTs created nothing.
            let flags = try await server.send("GET", "/api/v1/flags")
            #expect(flags["flags"]?.arrayCount == 2)
        }
    }

    @Test func revokedKeyStopsAtOnce() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "gate"}"#)
            let (id, key) = try await server.createKey("production")
            #expect(try await server.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 200)
            let keys = try await server.send("GET", "/api/v1/keys")
            #expect(keys["keys[0].id"] == .string(id))
            #expect(keys["keys[0].revokedAt"] == .null)
            #expect(keys.text.contains(key) == false)
            #expect(try await server.send("DELETE", "/api/v1/keys/\(id)").status == 204)
            #expect(try await server.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 401)
            #expect(try await server.send("GET", "/api/v1/keys")["keys[0].revokedAt"]?.stringValue != nil)
            #expect(try await server.send("DELETE", "/api/v1/keys/k_nope").status == 404)
        }
    }
}
