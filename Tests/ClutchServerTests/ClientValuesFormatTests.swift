import ClutchCore
import Foundation
import NIOCore
import Testing

@testable import ClutchServer

/// The client stream keeps no answers per stream (issue 28: an idle stream costs the same with 10
/// flags or 10,000): what changed for its context is found by evaluating it in the engine before
/// the change and the one after. These check the three cases a stream can be in when it looks.
@Suite("What a client stream sends after a change")
struct ClientValuesFormatTests {
    /// `key`, on in production, serving `on` to initech and `customers` and `off` (reason
    /// `DEFAULT`) to everyone else.
    static func flag(_ key: String, on customers: [String] = []) -> Flag {
        Flag(
            key: key,
            environments: ["production": FlagState(
                enabled: true, targets: [Target(variant: "on", attribute: "customerId", values: ["initech"] + customers)],
                default: .variant("off"))])
    }

    static func registry(_ flags: [Flag]) -> EngineRegistry {
        let registry = EngineRegistry(historyLimit: 10, backlogLimit: 16)
        registry.install(LiveEnvironment(snapshot: Snapshot(environment: "production", version: 1, flags: flags)), events: [])
        return registry
    }

    /// Installs `flags` (nil: removed) as the next version, saying which flags changed when `known`.
    static func change(_ registry: EngineRegistry, _ flags: [String: Flag?], known: Bool = true) {
        let current = registry.live("production")!
        let delta = SnapshotDelta(version: current.version + 1, flags: flags)
        let live = current.applying(delta)
        registry.install(live, events: SnapshotDiff.events(for: delta, encoded: live.encoded), changed: known ? Set(flags.keys) : nil)
    }

    /// A stream of `customerId` that has had its first event.
    static func stream(_ registry: EngineRegistry, customer: String) -> ClientValuesFormat {
        var format = ClientValuesFormat(
            context: EvaluationContext(targetingKey: "u-\(customer)", attributes: ["customerId": .string(customer)]),
            environment: "production", registry: registry, served: { _ in })
        #expect(format.first([]).count == 1)
        return format
    }

    /// The event's name and the flag keys it carries and removes.
    static func read(_ buffer: ByteBuffer?) throws -> (name: String, flags: [String], removed: [String])? {
        guard let buffer else { return nil }
        let text = String(buffer: buffer)
        let name = try #require(text.split(separator: "\n").first?.dropFirst("event: ".count))
        let data = try #require(text.split(separator: "\n").first { $0.hasPrefix("data: ") }?.dropFirst("data: ".count))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
        let flags = (object["flags"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        return (String(name), flags, object["removed"] as? [String] ?? [])
    }

    @Test("one change at a time: only the flags whose answer changed for this context are sent, and nothing when none did")
    func oneChangeSendsOnlyWhatChangedForTheContext() throws {
        let registry = Self.registry([Self.flag("banner"), Self.flag("checkout"), Self.flag("old")])
        var acme = Self.stream(registry, customer: "acme")
        var globex = Self.stream(registry, customer: "globex")
        // Targets acme: its answer changes, globex's does not.
        Self.change(registry, ["checkout": Self.flag("checkout", on: ["acme"]), "old": nil])
        let forAcme = try #require(try Self.read(acme.next(ByteBuffer())))
        #expect(forAcme.name == "changed")
        #expect(forAcme.flags == ["checkout"])
        #expect(forAcme.removed == ["old"])
        let forGlobex = try #require(try Self.read(globex.next(ByteBuffer())))
        #expect(forGlobex.flags.isEmpty)
        #expect(forGlobex.removed == ["old"])
        // A change that changes nothing for globex sends globex nothing.
        Self.change(registry, ["banner": Self.flag("banner", on: ["acme"])])
        #expect(try Self.read(globex.next(ByteBuffer())) == nil)
        #expect(try Self.read(acme.next(ByteBuffer()))?.flags == ["banner"])
    }

    @Test("a stream that missed versions gets the current answers of every flag they changed; one that cannot know gets every answer again")
    func aStreamBehindGetsWhatTheMissedVersionsChanged() throws {
        let registry = Self.registry([Self.flag("banner"), Self.flag("checkout"), Self.flag("steady")])
        var behind = Self.stream(registry, customer: "globex")
        var unknown = Self.stream(registry, customer: "globex")
        Self.change(registry, ["checkout": Self.flag("checkout", on: ["acme"])])
        Self.change(registry, ["banner": Self.flag("banner", on: ["acme"])])
        // The engine it had is no longer kept: the answers of what versions 2 and 3 changed.
        let caughtUp = try #require(try Self.read(behind.next(ByteBuffer())))
        #expect(caughtUp.name == "changed")
        #expect(caughtUp.flags == ["banner", "checkout"])
        // Then one change at a time again: compared, and nothing for globex.
        Self.change(registry, ["steady": Self.flag("steady", on: ["acme"])])
        #expect(try Self.read(behind.next(ByteBuffer())) == nil)
        // A change whose flags are not known, two versions on: every answer, as `values`.
        Self.change(registry, ["banner": Self.flag("banner")], known: false)
        let everything = try #require(try Self.read(unknown.next(ByteBuffer())))
        #expect(everything.name == "values")
        #expect(everything.flags == ["banner", "checkout", "steady"])
    }

    @Test("a change whose flags are not known is compared flag by flag when the stream had the version just before")
    func anUnknownChangeIsComparedWhenTheEngineBeforeIsKept() throws {
        let registry = Self.registry([Self.flag("banner"), Self.flag("checkout")])
        var acme = Self.stream(registry, customer: "acme")
        Self.change(registry, ["checkout": Self.flag("checkout", on: ["acme"]), "fresh": Self.flag("fresh")], known: false)
        let event = try #require(try Self.read(acme.next(ByteBuffer())))
        #expect(event.name == "changed")
        #expect(event.flags == ["checkout", "fresh"])
    }
}
