import ClutchCore
import ClutchProtocol
import Foundation
import HashTreeCollections
import NIOCore
import Synchronization

/// An environment's snapshot as JSON, kept as one encoded fragment per flag and cohort.
///
/// A change re-encodes only what it touched; the whole document (for `GET /sdk/v1/flags` and a
/// new stream's first event) is put together from the fragments the first time someone asks
/// for it after the change, and shared from then on. The bytes equal
/// `ClutchJSON.encode(snapshot)`: sorted keys, so the fragments are joined in the same order.
final class EncodedSnapshot: Sendable {
    let version: Int64
    private let environmentJSON: [UInt8]
    /// Flag key → its JSON, and the keys in snapshot order. Persistent dictionaries: the next
    /// version shares every fragment but the changed ones, and making it copies no table.
    private let flags: TreeDictionary<String, [UInt8]>
    private let flagOrder: [String]
    private let cohorts: TreeDictionary<String, CohortFragment>
    private let cohortOrder: [String]
    private let whole = Mutex<(event: StreamEvent, json: ByteBuffer)?>(nil)

    /// Encodes every flag and cohort of `snapshot`.
    convenience init(_ snapshot: Snapshot) {
        self.init(
            snapshot: snapshot,
            flags: TreeDictionary(snapshot.flags.map { ($0.key, Self.encode($0)) }, uniquingKeysWith: { first, _ in first }),
            cohorts: TreeDictionary(snapshot.cohorts.map { ($0.key, CohortFragment($0)) }, uniquingKeysWith: { first, _ in first }))
    }

    private init(
        snapshot: Snapshot, flags: TreeDictionary<String, [UInt8]>, cohorts: TreeDictionary<String, CohortFragment>,
        flagOrder: [String]? = nil, cohortOrder: [String]? = nil
    ) {
        version = snapshot.version
        environmentJSON = Self.encode(snapshot.environment)
        self.flags = flags
        self.flagOrder = flagOrder ?? snapshot.flags.map(\.key)
        self.cohorts = cohorts
        self.cohortOrder = cohortOrder ?? snapshot.cohorts.map(\.key)
    }

    /// The encoding of `next` (this snapshot with `delta` applied), re-encoding only the delta.
    /// The key order is taken from `next` only when keys came or went.
    func applying(_ delta: SnapshotDelta, next: Snapshot) -> EncodedSnapshot {
        var flags = self.flags
        var flagKeysChanged = false
        for (key, flag) in delta.flags {
            let json = flag.map(Self.encode)
            flagKeysChanged = flagKeysChanged || (json == nil) != (flags[key] == nil)
            flags[key] = json
        }
        var cohorts = self.cohorts
        var cohortKeysChanged = false
        for (key, cohort) in delta.cohorts {
            let fragment = cohort.map(CohortFragment.init)
            cohortKeysChanged = cohortKeysChanged || (fragment == nil) != (cohorts[key] == nil)
            cohorts[key] = fragment
        }
        // A membership change: the cohort's JSON is encoded again only when a whole document is asked for.
        for key in delta.members.keys where delta.cohorts[key] == nil {
            if let cohort = next.cohort(key) { cohorts[key] = CohortFragment(cohort) }
        }
        return EncodedSnapshot(
            snapshot: next, flags: flags, cohorts: cohorts,
            flagOrder: flagKeysChanged ? nil : flagOrder, cohortOrder: cohortKeysChanged ? nil : cohortOrder)
    }

    /// The JSON of flag `key`, if the snapshot has it.
    func flagJSON(_ key: String) -> [UInt8]? { flags[key] }

    /// The JSON of cohort `key`, if the snapshot has it.
    func cohortJSON(_ key: String) -> [UInt8]? { cohorts[key]?.json }

    /// The whole snapshot as JSON, and the `snapshot` stream event carrying it (sharing its bytes).
    var document: (event: StreamEvent, json: ByteBuffer) {
        if let built = whole.withLock({ $0 }) { return built }
        var bytes: [UInt8] = []
        let cohortJSON = Dictionary(uniqueKeysWithValues: cohorts.lazy.map { ($0.key, $0.value.json) })
        bytes.reserveCapacity(flags.reduce(64) { $0 + $1.value.count + 1 } + cohortJSON.values.reduce(0) { $0 + $1.count + 1 })
        bytes.append(contentsOf: #"{"cohorts":["#.utf8)
        Self.join(cohortOrder, cohortJSON, into: &bytes)
        bytes.append(contentsOf: #"],"environment":"#.utf8)
        bytes.append(contentsOf: environmentJSON)
        bytes.append(contentsOf: #","flags":["#.utf8)
        Self.join(flagOrder, flags, into: &bytes)
        bytes.append(contentsOf: #"],"version":"#.utf8)
        bytes.append(contentsOf: String(version).utf8)
        bytes.append(UInt8(ascii: "}"))
        let shared = StreamEvent.sharing(name: SyncEvent.Name.snapshot, version: version, data: bytes)
        let built = (event: shared.event, json: shared.data)
        // Two callers may build it at once; both results are the same bytes.
        return whole.withLock { stored in
            if let stored { return stored }
            stored = built
            return built
        }
    }

    private static func join(_ order: [String], _ fragments: some Fragments, into bytes: inout [UInt8]) {
        var first = true
        for key in order {
            guard let fragment = fragments[key] else { continue }
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes.append(contentsOf: fragment)
        }
    }

    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? ClutchJSON.encode(value)).map(Array.init) ?? Array("null".utf8)
    }
}

/// A cohort's JSON, encoded the first time someone needs it and kept from then on. A cohort
/// may have millions of members: a membership change replaces the fragment without encoding
/// them, and the next whole document (or full cohort event) encodes it once.
final class CohortFragment: Sendable {
    private let cohort: Cohort
    private let encoded = Mutex<[UInt8]?>(nil)

    init(_ cohort: Cohort) { self.cohort = cohort }

    var json: [UInt8] {
        if let bytes = encoded.withLock({ $0 }) { return bytes }
        let bytes = Self.encode(cohort)
        encoded.withLock { $0 = bytes }
        return bytes
    }

    /// The same bytes as `ClutchJSON.encode(cohort)`, with the members written directly: a
    /// million members through `JSONEncoder` take about a second, written here a few ms.
    /// `members` is the last key in sorted order, so its array closes the object.
    static func encode(_ cohort: Cohort) -> [UInt8] {
        var bare = cohort
        bare.members = []
        var bytes = EncodedSnapshot.encode(bare)
        let tail = Array(#""members":[]}"#.utf8)
        guard bytes.count >= tail.count, bytes[(bytes.count - tail.count)...].elementsEqual(tail) else {
            return EncodedSnapshot.encode(cohort)
        }
        bytes.removeLast(2)
        bytes.reserveCapacity(bytes.count + cohort.members.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, member) in cohort.members.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONString.append(member, to: &bytes)
        }
        bytes.append(contentsOf: "]}".utf8)
        return bytes
    }
}

/// A JSON string as Foundation's `JSONEncoder` writes it (with `.withoutEscapingSlashes`): `"`
/// and `\` escaped, `\b \f \n \r \t` for those controls and `\u00XX` for the others,
/// everything else as its UTF-8 bytes.
enum JSONString {
    static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// What ``EncodedSnapshot`` joins: fragments by key.
protocol Fragments {
    subscript(key: String) -> [UInt8]? { get }
}

extension Dictionary: Fragments where Key == String, Value == [UInt8] {}
extension TreeDictionary: Fragments where Key == String, Value == [UInt8] {}
