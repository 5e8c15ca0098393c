import ClutchCore

/// A change to an environment as `GET /sdk/v1/stream` sends it: the server↔SDK stream
/// protocol, written once here and imported by both sides (docs/openapi.json describes the
/// same events as `SSE…Event` schemas).
///
/// Each event is an SSE event named ``name`` whose `data:` is ``data()``: JSON with sorted keys.
/// One change may be several events of the same version; only the last carries the SSE `id`.
public enum SyncEvent: Sendable, Hashable {
    /// The whole environment; always the first event of a stream (unless catching up).
    case snapshot(Snapshot)
    /// A flag added or changed (with this environment's state only).
    case flag(version: Int64, Flag)
    /// A flag deleted or archived.
    case flagDeleted(version: Int64, key: String)
    /// A cohort added or changed.
    case cohort(version: Int64, Cohort)
    /// A cohort deleted.
    case cohortDeleted(version: Int64, key: String)
    /// Members added to and removed from a cohort; the rest of it is unchanged.
    case cohortMembers(version: Int64, key: String, MemberChange)

    /// The SSE event names.
    public enum Name {
        public static let snapshot = "snapshot"
        public static let flag = "flag"
        public static let flagDeleted = "flag-deleted"
        public static let cohort = "cohort"
        public static let cohortDeleted = "cohort-deleted"
        public static let cohortMembers = "cohort-members"
    }

    /// The SSE event name.
    public var name: String {
        switch self {
        case .snapshot: Name.snapshot
        case .flag: Name.flag
        case .flagDeleted: Name.flagDeleted
        case .cohort: Name.cohort
        case .cohortDeleted: Name.cohortDeleted
        case .cohortMembers: Name.cohortMembers
        }
    }

    /// The snapshot version the event leads to.
    public var version: Int64 {
        switch self {
        case .snapshot(let snapshot): snapshot.version
        case .flag(let version, _), .flagDeleted(let version, _), .cohort(let version, _), .cohortDeleted(let version, _),
            .cohortMembers(let version, _, _):
            version
        }
    }

    private struct FlagChange: Decodable { var version: Int64; var flag: Flag }
    private struct CohortChange: Decodable { var version: Int64; var cohort: Cohort }
    private struct Deletion: Codable { var version: Int64; var key: String }
    private struct Members: Codable { var version: Int64; var cohort: String; var added: [String]; var removed: [String] }

    /// The event named `type` carrying `data`; `nil` for event names this side does not know
    /// (a newer server may send some: ignoring them is part of the protocol). Throws when a
    /// known event's data cannot be read.
    public init?(type: String, data: some Collection<UInt8>) throws {
        let bytes = Array(data)
        let decoder = ClutchJSONDecoder()
        switch type {
        case Name.snapshot:
            self = .snapshot(try decoder.decode(Snapshot.self, from: bytes))
        case Name.flag:
            let change = try decoder.decode(FlagChange.self, from: bytes)
            self = .flag(version: change.version, change.flag)
        case Name.flagDeleted:
            let deletion = try decoder.decode(Deletion.self, from: bytes)
            self = .flagDeleted(version: deletion.version, key: deletion.key)
        case Name.cohort:
            let change = try decoder.decode(CohortChange.self, from: bytes)
            self = .cohort(version: change.version, change.cohort)
        case Name.cohortDeleted:
            let deletion = try decoder.decode(Deletion.self, from: bytes)
            self = .cohortDeleted(version: deletion.version, key: deletion.key)
        case Name.cohortMembers:
            let members = try decoder.decode(Members.self, from: bytes)
            self = .cohortMembers(
                version: members.version, key: members.cohort, MemberChange(added: members.added, removed: members.removed))
        default:
            return nil
        }
    }

    /// The event's `data:` as JSON with sorted keys.
    public func data() throws -> [UInt8] {
        switch self {
        case .snapshot(let snapshot): return Array(try ClutchJSON.encode(snapshot))
        case .flag(let version, let flag): return Self.changeData(.flag, json: Array(try ClutchJSON.encode(flag)), version: version)
        case .flagDeleted(let version, let key), .cohortDeleted(let version, let key):
            return Array(try ClutchJSON.encode(Deletion(version: version, key: key)))
        case .cohort(let version, let cohort): return Self.changeData(.cohort, json: Array(try ClutchJSON.encode(cohort)), version: version)
        case .cohortMembers(let version, let key, let change):
            return Array(try ClutchJSON.encode(Members(version: version, cohort: key, added: change.added, removed: change.removed)))
        }
    }

    /// What a `flag` or `cohort` event carries: its `data:` field.
    public enum ChangeField: String, Sendable {
        case flag, cohort
    }

    /// The `data:` of a `flag` or `cohort` event around the JSON of what it carries:
    /// `{"<field>":<json>,"version":N}`, the keys sorted as ``ClutchJSON`` sorts them. The one
    /// place that writes these events: ``data()`` passes a fresh encoding, the server's publisher
    /// the fragments its snapshot document is made of (a change is encoded once, and the stream
    /// hot path only copies bytes, into one buffer sized up front).
    public static func changeData(_ field: ChangeField, json: [UInt8], version: Int64) -> [UInt8] {
        let name = field.rawValue.utf8
        let number = String(version).utf8
        var data: [UInt8] = []
        data.reserveCapacity(json.count + name.count + number.count + 16)
        data.append(UInt8(ascii: "{"))
        data.append(UInt8(ascii: "\""))
        data.append(contentsOf: name)
        data.append(contentsOf: #"":"#.utf8)
        data.append(contentsOf: json)
        data.append(contentsOf: #","version":"#.utf8)
        data.append(contentsOf: number)
        data.append(UInt8(ascii: "}"))
        return data
    }
}
