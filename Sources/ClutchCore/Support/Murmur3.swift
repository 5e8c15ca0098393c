/// MurmurHash3 x86 32-bit, the hash flagd and other OpenFeature providers bucket with.
public enum Murmur3 {
    /// The hash of `bytes` with `seed`.
    @inlinable
    public static func hash32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var h = seed
        let count = bytes.count
        let blocks = count / 4
        for i in 0..<blocks {
            var k = bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self).littleEndian
            k &*= c1
            k = (k << 15) | (k >> 17)
            k &*= c2
            h ^= k
            h = (h << 13) | (h >> 19)
            h = h &* 5 &+ 0xe654_6b64
        }
        let tail = blocks * 4
        var k: UInt32 = 0
        switch count & 3 {
        case 3:
            k ^= UInt32(bytes[tail + 2]) << 16
            fallthrough
        case 2:
            k ^= UInt32(bytes[tail + 1]) << 8
            fallthrough
        case 1:
            k ^= UInt32(bytes[tail])
            k &*= c1
            k = (k << 15) | (k >> 17)
            k &*= c2
            h ^= k
        default:
            break
        }
        h ^= UInt32(truncatingIfNeeded: count)
        h ^= h >> 16
        h &*= 0x85eb_ca6b
        h ^= h >> 13
        h &*= 0xc2b2_ae35
        h ^= h >> 16
        return h
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hash32(_ string: String, seed: UInt32 = 0) -> UInt32 {
        var s = string
        return s.withUTF8 { hash32(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// The hash of `prefix` followed by `string`'s UTF-8 bytes, without building the
    /// concatenated string (bucketing hashes `salt + value` on every evaluation).
    public static func hash32(prefix: [UInt8], _ string: String, seed: UInt32 = 0) -> UInt32 {
        var s = string
        return s.withUTF8 { value in
            let total = prefix.count + value.count
            return withUnsafeTemporaryAllocation(byteCount: max(total, 1), alignment: 4) { buffer in
                prefix.withUnsafeBytes { buffer.copyMemory(from: $0) }
                if let source = value.baseAddress, let destination = buffer.baseAddress, value.count > 0 {
                    (destination + prefix.count).copyMemory(from: source, byteCount: value.count)
                }
                return hash32(UnsafeRawBufferPointer(rebasing: buffer[0..<total]), seed: seed)
            }
        }
    }
}
