import Foundation
import ServerTestSupport
import Testing

@testable import Clutch

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("many tasks evaluating while the engine is swapped always see one consistent snapshot")
    func evaluateWhileSwapping() async throws {
        let client = ClutchClient(configuration: Fixtures.configuration(
            server: try Fixtures.unreachableServer(), bootstrap: Fixtures.snapshot(version: 1, banner: "v1"), usageInterval: .seconds(3600)))
        let changes = client.changes
        let swaps = 200
        let inconsistent = await withTaskGroup(of: Int.self, returning: Int.self) { group in
            for reader in 0..<8 {
                group.addTask {
                    var bad = 0
                    for i in 0..<5_000 {
                        let context = EvaluationContext(targetingKey: "user-\(reader)-\(i)")
                        let details = client.stringDetails("banner", default: "?", context: context)
                        // The value and the metadata come from the same snapshot: banner "vN" at version N.
                        guard case .integer(let version)? = details.flagMetadata["snapshotVersion"],
                            details.value == "v\(version)", details.errorCode == nil
                        else {
                            bad += 1
                            continue
                        }
                    }
                    return bad
                }
            }
            group.addTask {
                for version in 2...Int64(swaps + 1) {
                    let next = Fixtures.snapshot(version: version, banner: "v\(version)")
                    client.core.install(FlagSource(engine: Engine(next)), changed: ["banner"], status: .ready)
                    await Task.yield()
                }
                return 0
            }
            return await group.reduce(0, +)
        }
        #expect(inconsistent == 0)
        #expect(client.string("banner", default: "") == "v\(swaps + 1)")
        #expect(client.core.usage?.count(flag: "banner", variant: "greeting") == 8 * 5_000 + 1)
        var iterator = changes.makeAsyncIterator()
        #expect(await iterator.next() == ["banner"])
        await client.close()
        // The stream ends on close once its buffer is drained.
        var remaining = 0
        while await iterator.next() != nil { remaining += 1 }
        #expect(remaining == swaps - 1)
    }
}
