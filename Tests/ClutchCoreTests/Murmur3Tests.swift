import Testing
@testable import ClutchCore

@Suite struct Murmur3Tests {
    // Reference values from the canonical MurmurHash3_x86_32 (and Python's mmh3), seed 0.
    @Test(arguments: [
        ("", UInt32(0)),
        ("hello", UInt32(0x248b_fa47)),
        ("The quick brown fox jumps over the lazy dog", UInt32(0x2e4f_f723)),
        ("fractional-flagjack", UInt32(2_682_799_072)),
        ("ü日本", UInt32(27_991_005)),
    ])
    func knownVectors(input: String, expected: UInt32) {
        #expect(Murmur3.hash32(input) == expected)
    }

    @Test(arguments: ["", "a", "ab", "abc", "abcd", "abcde", "salt-and-a-longer-value-ü"])
    func prefixedHashEqualsHashOfConcatenation(value: String) {
        for salt in ["", "s", "new-checkout", "fractional-flag"] {
            #expect(Murmur3.hash32(prefix: Array(salt.utf8), value) == Murmur3.hash32(salt + value))
        }
    }

    @Test func seedChangesTheHash() {
        #expect(Murmur3.hash32("hello", seed: 1) != Murmur3.hash32("hello", seed: 0))
    }
}
