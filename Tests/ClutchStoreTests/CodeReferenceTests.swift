import ClutchCore
import ClutchStore
import Foundation
import Testing

/// Uploaded code scans: one per repository and branch, replaced whole by the next, and flags a
/// branch referenced no more remembered with the commit that dropped them.
@Suite("Code references")
struct CodeReferenceTests {
    static func reference(_ flag: String, _ path: String, _ line: Int, alias: String? = nil) -> CodeReference {
        CodeReference(flag: flag, path: path, line: line, context: "if flags.isOn(\"\(flag)\") {", alias: alias)
    }

    @Test(arguments: StoreBackend.allCases) func anUploadReplacesItsBranchsScanAndNamesTheFlagsNoLongerReferenced(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        for key in ["new-checkout", "new-checkout-v2", "dark-mode"] { _ = try await store.createFlag(Flag(key: key), change: admin) }
        let first = try await store.replaceCodeReferences(CodeScanUpload(repo: "app-ios", branch: "main", commit: "1a2b3c4", references: [
            Self.reference("new-checkout", "Sources/Checkout.swift", 12),
            Self.reference("new-checkout", "Sources/Checkout.swift", 12, alias: "newCheckout"),  // the same line again: one reference
            Self.reference("new-checkout", "Sources/Cart.swift", 3),
            Self.reference("dark-mode", "Sources/Theme.swift", 7),
        ]))
        #expect(first.removed == [])
        #expect(first.scan.references == 3)
        // Another branch and another repository are scans of their own.
        _ = try await store.replaceCodeReferences(CodeScanUpload(repo: "app-ios", branch: "release", commit: "0f0f0f0", references: [
            Self.reference("dark-mode", "Sources/Theme.swift", 7),
        ]))
        _ = try await store.replaceCodeReferences(CodeScanUpload(repo: "web", branch: "main", commit: "9e9e9e9", references: [
            Self.reference("new-checkout", "src/checkout.ts", 40),
        ]))

        let checkout = try await store.codeReferences(flag: "new-checkout")
        #expect(checkout.references.map(\.place) == ["app-ios@main Sources/Cart.swift:3", "app-ios@main Sources/Checkout.swift:12", "web@main src/checkout.ts:40"])
        #expect(checkout.references.first?.commit == "1a2b3c4")
        #expect(checkout.removals == [])

        // The next scan of app-ios@main no longer finds dark-mode; the old references are gone.
        let second = try await store.replaceCodeReferences(CodeScanUpload(repo: "app-ios", branch: "main", commit: "3f2a1c0", references: [
            Self.reference("new-checkout", "Sources/Checkout.swift", 14),
        ]))
        #expect(second.removed == ["dark-mode"])
        #expect(try await store.codeReferences(flag: "new-checkout").references.map(\.place) == [
            "app-ios@main Sources/Checkout.swift:14", "web@main src/checkout.ts:40",
        ])
        let darkMode = try await store.codeReferences(flag: "dark-mode")
        #expect(darkMode.references.map(\.place) == ["app-ios@release Sources/Theme.swift:7"], "the other branch still references it")
        #expect(darkMode.removals.map(\.sentence) == ["removed from app-ios@main in 3f2a1c0"])

        // A later scan without it keeps the commit that removed it; one that finds it again forgets the removal.
        _ = try await store.replaceCodeReferences(CodeScanUpload(repo: "app-ios", branch: "main", commit: "4444444", references: []))
        #expect(try await store.codeReferences(flag: "dark-mode").removals.map(\.commit) == ["3f2a1c0"])
        #expect(try await store.codeReferences(flag: "new-checkout").removals.map(\.sentence) == ["removed from app-ios@main in 4444444"])
        _ = try await store.replaceCodeReferences(CodeScanUpload(repo: "app-ios", branch: "main", commit: "5555555", references: [
            Self.reference("dark-mode", "Sources/Theme.swift", 9),
        ]))
        #expect(try await store.codeReferences(flag: "dark-mode").removals == [])

        let all = try await store.codeReferences()
        #expect(all.keys.sorted() == ["dark-mode", "new-checkout"], "a flag never referenced has no entry")
        #expect(all["dark-mode"]?.references.count == 2)
        #expect(try await store.codeScans().map { "\($0.repo)@\($0.branch) \($0.commit) \($0.references)" } == [
            "app-ios@main 5555555 1", "app-ios@release 0f0f0f0 1", "web@main 9e9e9e9 1",
        ])
        #expect(try await store.codeReferences(flag: "new-checkout-v2") == FlagCodeReferences(flag: "new-checkout-v2", references: [], removals: []))
    }

    @Test(arguments: StoreBackend.allCases) func aScanIsStampedWithTheStoresClock(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let then = Date(timeIntervalSince1970: 1_900_000_000)
        store.useClock { then }
        _ = try await store.createFlag(Flag(key: "a"), change: admin)
        let result = try await store.replaceCodeReferences(CodeScanUpload(repo: "r", branch: "b", commit: "c1", references: [Self.reference("a", "x", 1)]))
        #expect(result.scan.scannedAt == then)
        _ = try await store.replaceCodeReferences(CodeScanUpload(repo: "r", branch: "b", commit: "c2", references: []))
        #expect(try await store.codeReferences(flag: "a").removals.map(\.removedAt) == [then])
    }

    @Test(arguments: StoreBackend.allCases) func aScanOfManyReferencesIsStoredWhole(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "busy"), change: admin)
        let references = (1...2_345).map { Self.reference("busy", "file\($0 % 17).swift", $0) }
        let result = try await store.replaceCodeReferences(CodeScanUpload(repo: "mono", branch: "main", commit: "abc", references: references))
        #expect(result.scan.references == 2_345)
        #expect(try await store.codeReferences(flag: "busy").references.count == 2_345)
    }

    @Test(arguments: StoreBackend.allCases) func aBadUploadIsRefusedNamingTheFieldAndChangesNothing(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "known"), change: admin)
        _ = try await store.replaceCodeReferences(CodeScanUpload(repo: "app", branch: "main", commit: "aaa", references: [Self.reference("known", "a.swift", 1)]))
        let bad: [(CodeScanUpload, String)] = [
            (CodeScanUpload(repo: "app", branch: "main", commit: "bbb", references: [Self.reference("known", "a.swift", 1), Self.reference("unknown", "b.swift", 2)]), "references[1].flag"),
            (CodeScanUpload(repo: "", branch: "main", commit: "bbb", references: []), "repo"),
            (CodeScanUpload(repo: "app", branch: "main branch", commit: "bbb", references: []), "branch"),
            (CodeScanUpload(repo: "app", branch: "main", commit: "not a sha", references: []), "commit"),
            (CodeScanUpload(repo: "app", branch: "main", commit: "bbb", references: [Self.reference("known", "a.swift", 0)]), "references[0].line"),
            (CodeScanUpload(repo: "app", branch: "main", commit: "bbb", references: [
                CodeReference(flag: "known", path: "a.swift", line: 1, context: "one\ntwo")]), "references[0].context"),
            (CodeScanUpload(repo: "app", branch: "main", commit: "bbb", references: [Self.reference("known", "a\u{1B}.swift", 1)]), "references[0].path"),
        ]
        for (upload, field) in bad {
            let error = await #expect(throws: StoreError.self) { try await store.replaceCodeReferences(upload) }
            #expect(error?.field == field)
        }
        #expect(try await store.codeScans().map(\.commit) == ["aaa"])
        #expect(try await store.codeReferences(flag: "known").references.map(\.place) == ["app@main a.swift:1"])
        await #expect(throws: StoreError.self) { try await store.codeReferences(flag: "unknown") }
    }
}
