import Foundation
import Synchronization
import Testing

@testable import ClutchStore

/// The store reads the server's clock on every write: reading it must cost the same the
/// thousandth time as the first.
@Suite("Store clock")
struct StoreClockTests {
    /// Where the stack is inside the clock's closure: a clock whose every reading wraps the
    /// closure again is entered deeper each time.
    @inline(never) static func stackAddress() -> UInt {
        var marker = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    @Test func readingTheClockAThousandTimesEntersItAtTheSameDepthEveryTime() {
        let clock = StoreClock()
        let depths = Mutex<[UInt]>([])
        let fixed = Date(timeIntervalSince1970: 1_800_000_000)
        clock.use {
            depths.withLock { $0.append(Self.stackAddress()) }
            return fixed
        }
        for _ in 0..<1000 { #expect(clock.now() == fixed) }
        let seen = depths.withLock { $0 }
        #expect(seen.count == 1000)
        #expect(Set(seen).count == 1, "the clock was entered at \(Set(seen).count) depths, \(Int(seen.first ?? 0) - Int(seen.last ?? 0)) bytes apart")
    }
}
