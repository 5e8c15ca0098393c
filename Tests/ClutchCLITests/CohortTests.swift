import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("clutch cohorts")
struct CohortTests {
    @Test("create, list, get, add, remove and delete")
    func lifecycle() async throws {
        let server = try await TestServer.shared.get()
        let name = uniqueKey("pilot")
        let created = try await server.clutch("cohorts", "create", name, "--env", "production", "--customers", "acme,globex", "--description", "Pilot customers", "--json")
        #expect(created.status == 0, "\(created)")
        #expect(try created.json()["cohort"]?["members"] == ["acme", "globex"])

        let list = try await server.clutch("cohorts", "list", "--env", "production", "--json")
        #expect(list.status == 0)
        #expect(try list.json()["cohorts"]?.array?.contains { $0["cohort"]?["key"]?.string == name } == true)
        let table = try await server.clutch("cohorts", "--env", "production")
        let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") })
        #expect(row.split(separator: " ").prefix(3) == [Substring(name), "customerId", "2"])

        let added = try await server.clutch("cohorts", "add", name, "--env", "production", "--customers", "initech", "--json")
        #expect(added.status == 0, "\(added)")
        #expect(try added.json()["size"] == 3)
        #expect(try added.json()["added"] == ["initech"])
        let removed = try await server.clutch("cohorts", "remove", name, "--env", "production", "--customers", "acme,nobody")
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stdout == "Cohort \(name) in production: removed acme; 2 members (revision 3).\n", "\(removed)")
        let again = try await server.clutch("cohorts", "remove", name, "--env", "production", "--customers", "acme")
        #expect(again.stdout == "Cohort \(name) in production: no change; 2 members (revision 3).\n", "\(again)")
        let both = try await server.clutch("cohorts", "add", name, "--env", "production", "--customers", "x", "--json")
        #expect(both.status == 0, "\(both)")
        let last = try await server.clutch("cohorts", "remove", name, "--env", "production", "--customers", "globex,initech,x")
        #expect(last.status == 1, "removing the last members of a cohort without clauses is refused: \(last)")
        #expect(last.stderr.contains("a cohort needs members or clauses"), "\(last)")

        let get = try await server.clutch("cohorts", "get", name, "--env", "production")
        #expect(get.stdout.contains("Pilot customers"))
        #expect(get.stdout.contains("members (customerId): globex, initech, x"), "\(get)")
        let getJSON = try await server.clutch("cohorts", "get", name, "--env", "production", "--json")
        #expect(try getJSON.json()["environment"]?.string == "production")

        let deleted = try await server.clutch("cohorts", "delete", name, "--env", "production")
        #expect(deleted.status == 0, "\(deleted)")
        #expect(deleted.stdout == "Deleted cohort \(name) in production.\n")
        let gone = try await server.clutch("cohorts", "get", name, "--env", "production")
        #expect(gone.status == 1)
    }

    @Test("create with --where clauses; a cohort in use cannot be deleted")
    func clausesAndInUse() async throws {
        let server = try await TestServer.shared.get()
        let name = uniqueKey("acme-staff")
        let created = try await server.clutch("cohorts", "create", name, "--env", "staging", "--where", "email endsWith @acme.com", "--json")
        #expect(created.status == 0, "\(created)")
        #expect(try created.json()["cohort"]?["clauses"] == [["attribute": "email", "operator": "endsWith", "values": ["@acme.com"]]])

        let key = uniqueKey("staff-only")
        _ = try await server.clutch("flags", "create", key)
        _ = try await server.clutch("target", key, "--env", "staging", "--cohort", name)
        let refused = try await server.clutch("cohorts", "delete", name, "--env", "staging")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(key), "the error names the flag: \(refused)")

        _ = try await server.clutch("untarget", key, "--env", "staging", "--cohort", name)
        let deleted = try await server.clutch("cohorts", "delete", name, "--env", "staging", "--json")
        #expect(deleted.status == 0, "\(deleted)")
        #expect(try deleted.json() == ["deleted": .string(name), "environment": "staging"])

        let empty = try await server.clutch("cohorts", "create", uniqueKey("empty"), "--env", "staging")
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("a cohort needs members or clauses"))
        let missingEnv = try await server.clutch("cohorts", "list")
        #expect(missingEnv.status == 2)
    }
}
