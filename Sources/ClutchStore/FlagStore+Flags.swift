import ClutchCore
import Foundation

extension SQLStore {
    /// How long after its last evaluation a flag may be deleted without forcing it.
    public static var deletionGrace: TimeInterval { 7 * 24 * 3600 }

    /// Refuses deleting a flag that is on somewhere or was evaluated lately (`usage`: its usage).
    static func checkUnused(_ record: FlagRecord, usage: [String: FlagUsage]?, now: Date) throws {
        let key = record.flag.key
        let on = record.flag.environments.filter(\.value.enabled).keys.sorted()
        let last = usage?.values.map(\.lastEvaluated).max()
        let recent = last.map { now.timeIntervalSince($0) < deletionGrace } ?? false
        guard !on.isEmpty || recent else { return }
        var reasons: [String] = []
        if !on.isEmpty { reasons.append("is on in \(on.joined(separator: ", "))") }
        if recent, let last { reasons.append("was evaluated \(RelativeAge.describe(now.timeIntervalSince(last))) ago") }
        throw StoreError.conflict(
            "flag '\(key)' \(reasons.joined(separator: " and ")): applications still use it. Turn it off and archive it "
                + "(clutch flags archive \(key)), and delete it once nothing has evaluated it for 7 days; or delete it now with force "
                + "(clutch flags delete \(key) --force, or ?force=true)",
            field: "force")
    }
}
