import ClutchCore
import Foundation
import ServerTestSupport
import Testing

/// `clutch flags …`, `on`, `off` and `kill`, each with and without `--json`.
@Suite("clutch flags, on, off, kill")
struct FlagCommandTests {
    @Test("flags create, list and get")
    func createListGet() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("checkout")
        let created = try await server.clutch(
            "flags", "create", key, "--description", "New checkout", "--tag", "payments", "-m", "for the Q4 launch", "--json")
        #expect(created.status == 0, "\(created)")
        let record = try created.json()
        #expect(record["flag"]?["key"]?.string == key)
        #expect(record["flag"]?["tags"] == ["payments"])
        #expect(record["revision"]?.int == 1)
        #expect(record["flag"]?["environments"]?["production"]?["enabled"]?.bool == false)

        let list = try await server.clutch("flags", "list", "--json")
        #expect(list.status == 0)
        let keys = try list.json()["flags"]?.array?.compactMap { $0["flag"]?["key"]?.string } ?? []
        #expect(keys.contains(key))

        let table = try await server.clutch("flags", "list")
        #expect(table.status == 0)
        let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix(key + " ") })
        #expect(row.contains("boolean"))
        #expect(row.split(separator: " ").filter { $0 == "off" }.count == 3, "off in three environments: \(row)")
        #expect(table.stdout.hasPrefix("KEY"))

        let one = try await server.clutch("flags", "list", "--env", "staging")
        #expect(one.stdout.contains("STAGING"))
        #expect(!one.stdout.contains("PRODUCTION"))

        let get = try await server.clutch("flags", "get", key)
        #expect(get.status == 0)
        #expect(get.stdout.contains("variants: on=true, off=false; off variant: off"), "\(get)")
        #expect(get.stdout.contains("New checkout"))
        #expect(get.stdout.contains("\(key) in production: off"))

        let getJSON = try await server.clutch("flags", "get", key, "--json")
        #expect(try getJSON.json()["flag"]?["description"]?.string == "New checkout")
    }

    @Test("flags create with typed variants, and refusals of bad values")
    func typedVariants() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("limit")
        let created = try await server.clutch(
            "flags", "create", key, "--type", "integer", "--variant", "small=10", "--variant", "large=100",
            "--variant", "none=0", "--off-variant", "none", "--json")
        #expect(created.status == 0, "\(created)")
        let flag = try #require(try created.json()["flag"])
        #expect(flag["type"]?.string == "integer")
        #expect(flag["offVariant"]?.string == "none")
        #expect(flag["variants"]?[1]?["value"]?.int == 100)

        let text = try await server.clutch("flags", "create", uniqueKey("color"), "--type", "string", "--variant", "blue=#00f", "--variant", "red=#f00")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("(string: blue, red; off variant red)"), "\(text)")

        let bad = try await server.clutch("flags", "create", uniqueKey("limit"), "--type", "integer", "--variant", "big=lots")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--variant big=lots: a integer flag needs integer values"), "\(bad)")

        let none = try await server.clutch("flags", "create", uniqueKey("color"), "--type", "string")
        #expect(none.status == 1)
        #expect(none.stderr.contains("a string flag needs variants"))

        let type = try await server.clutch("flags", "create", uniqueKey("x"), "--type", "float")
        #expect(type.status == 1)
        #expect(type.stderr.contains("unknown type 'float'"))
    }

    @Test("on and off in one environment only")
    func onOff() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("toggle")
        _ = try await server.clutch("flags", "create", key)
        let on = try await server.clutch("on", key, "--env", "staging", "-m", "try it", "--json")
        #expect(on.status == 0, "\(on)")
        let environments = try #require(try on.json()["flag"]?["environments"])
        #expect(environments["staging"]?["enabled"]?.bool == true)
        #expect(environments["production"]?["enabled"]?.bool == false)

        let off = try await server.clutch("off", key, "--env", "staging")
        #expect(off.status == 0, "\(off)")
        #expect(off.stdout.contains("\(key) in staging (revision 3): off"), "\(off)")

        let offJSON = try await server.clutch("off", key, "--env", "staging", "--json")
        #expect(offJSON.status == 0, "\(offJSON)")
        #expect(try offJSON.json()["revision"]?.int == 3, "switching off what is off writes no revision")

        let viaEnv = try await server.clutch("on", key, environment: ["CLUTCH_ENV": "development"])
        #expect(viaEnv.status == 0, "\(viaEnv)")
        #expect(viaEnv.stdout.contains("in development"))
        #expect(viaEnv.stdout.contains(": on"))
    }

    @Test("kill switches every environment off in one revision")
    func kill() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("kill")
        _ = try await server.clutch("flags", "create", key)
        _ = try await server.clutch("on", key, "--env", "staging")
        _ = try await server.clutch("on", key, "--env", "production")
        let killed = try await server.clutch("kill", key, "-m", "incident 42", "--json")
        #expect(killed.status == 0, "\(killed)")
        let body = try killed.json()
        let changed = body["environments"]?.array?.compactMap(\.string) ?? []
        #expect(Set(changed).isSuperset(of: ["staging", "production"]))
        #expect(body["notifiedStreams"]?.int != nil)
        #expect(body["flag"]?["revision"]?.int == 4)
        let flag = try await server.clutch("flags", "get", key, "--json").json()
        for environment in ["development", "staging", "production"] {
            #expect(flag["flag"]?["environments"]?[environment]?["enabled"]?.bool == false)
        }

        let key2 = uniqueKey("kill")
        _ = try await server.clutch("flags", "create", key2)
        _ = try await server.clutch("on", key2, "--env", "staging")
        _ = try await server.clutch("on", key2, "--env", "production")
        let one = try await server.clutch("kill", key2, "--env", "staging")
        #expect(one.status == 0, "\(one)")
        #expect(one.stdout.contains("Killed \(key2) in staging"), "\(one)")
        #expect(one.stdout.contains("connected stream(s)"))
        let after = try await server.clutch("flags", "get", key2, "--json").json()
        #expect(after["flag"]?["environments"]?["production"]?["enabled"]?.bool == true)
    }

    @Test("archive, unarchive and delete")
    func lifecycle() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("old")
        _ = try await server.clutch("flags", "create", key)
        let archived = try await server.clutch("flags", "archive", key, "--json")
        #expect(archived.status == 0, "\(archived)")
        #expect(try archived.json()["flag"]?["archived"]?.bool == true)
        let hidden = try await server.clutch("flags", "list")
        #expect(!hidden.stdout.contains(key))
        let shown = try await server.clutch("flags", "list", "--archived")
        #expect(shown.stdout.contains("\(key) (archived)"))

        let back = try await server.clutch("flags", "unarchive", key)
        #expect(back.status == 0)
        #expect(back.stdout.contains("Unarchived \(key)"))
        let archivedText = try await server.clutch("flags", "archive", key)
        #expect(archivedText.stdout.contains("Archived \(key)"), "\(archivedText)")
        let backJSON = try await server.clutch("flags", "unarchive", key, "--json")
        #expect(try backJSON.json()["flag"]?["archived"]?.bool == false)

        let deleted = try await server.clutch("flags", "delete", key, "--json")
        #expect(deleted.status == 0, "\(deleted)")
        #expect(try deleted.json() == ["deleted": .string(key)])
        let gone = try await server.clutch("flags", "get", key)
        #expect(gone.status == 1)
        #expect(gone.stderr.hasPrefix("error: "))

        // Restored from its history, states included, as the next revision.
        let restored = try await server.clutch("flags", "restore", key, "--json")
        #expect(restored.status == 0, "\(restored)")
        let restoredRevision = try restored.json()["revision"]?.int ?? 0
        #expect(restoredRevision > 1, "\(restored)")
        let again = try await server.clutch("flags", "restore", key)
        #expect(again.status == 1, "an existing flag cannot be restored: \(again)")
        _ = try await server.clutch("flags", "delete", key)

        let text = try await server.clutch("flags", "create", key)
        #expect(text.status == 0, "a deleted key may be created again: \(text)")
        let deletedText = try await server.clutch("flags", "delete", key)
        #expect(deletedText.stdout == "Deleted \(key). Restore it with 'clutch flags restore \(key)'.\n")
    }

    @Test("delete refuses a flag that is on until forced, and says how to proceed")
    func deleteGuard() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("live")
        _ = try await server.clutch("flags", "create", key)
        let on = try await server.clutch("on", key, "--env", "production")
        try #require(on.status == 0, "\(on)")
        let refused = try await server.clutch("flags", "delete", key)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("is on in production"), "\(refused)")
        #expect(refused.stderr.contains("--force"), "\(refused)")
        #expect(try await server.clutch("flags", "get", key).status == 0, "nothing was deleted")
        let forced = try await server.clutch("flags", "delete", key, "--force")
        #expect(forced.status == 0, "\(forced)")
        let restored = try await server.clutch("flags", "restore", key)
        #expect(restored.stdout.contains("on in production"), "\(restored)")
    }

    @Test("flags stale lists never-evaluated flags")
    func stale() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("stale")
        _ = try await server.clutch("flags", "create", key)
        let json = try await server.clutch("flags", "stale", "--days", "0", "--json")
        #expect(json.status == 0, "\(json)")
        let entry = try #require(try json.json()["flags"]?.array?.first { $0["key"]?.string == key })
        #expect(entry["reason"]?.string?.hasPrefix("never evaluated") == true)
        let text = try await server.clutch("flags", "stale", "--days", "0")
        #expect(text.status == 0)
        #expect(text.stdout.contains(key))
        #expect(text.stdout.contains("never evaluated"))
    }
}
