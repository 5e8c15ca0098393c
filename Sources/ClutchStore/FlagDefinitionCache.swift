import ClutchCore
import Synchronization

/// Decoded flag definitions by flag key, each with the stored text it was decoded from.
///
/// Reading every flag (the console's list, `GET /api/v1/flags`, stale flags) decoded every
/// definition's JSON on each request: with 2,000 flags that was most of the request's time.
/// A definition only changes by a change to the flag, which writes a new text, so a flag whose
/// text is byte for byte the one decoded before is that same flag: the cache compares the text
/// (a memory comparison, far cheaper than decoding) and is never out of date, whichever process
/// or replica wrote the row. Both stores read flag rows through it.
enum FlagDefinitionCache {
    /// At most this many flags are kept; past it the cache starts again (a process serves one
    /// database, whose flags are far fewer; the bound only keeps memory finite in any case).
    static let capacity = 50_000

    private static let entries = Mutex<[String: (definition: String, flag: Flag)]>([:])

    /// The flag stored as `definition`: decoded (and normalized) once per text.
    static func flag(key: String, definition: String) throws -> Flag {
        if let cached = entries.withLock({ $0[key] }), cached.definition == definition { return cached.flag }
        let flag = Tables.normalized(try Tables.decode(Flag.self, definition))
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = (definition, flag)
        }
        return flag
    }
}
