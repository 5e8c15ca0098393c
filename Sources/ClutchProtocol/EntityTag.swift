import Foundation

/// Entity tags of the SDK protocol: how a snapshot is named for `If-None-Match`.
public enum EntityTag {
    /// The ETag of an environment's snapshot at `version`: `"<environment>-<version>"`.
    public static func snapshot(environment: String, version: Int64) -> String {
        "\"\(environment)-\(version)\""
    }

    /// The version a snapshot tag of `environment` names (`"production-42"`, quoted or not, as
    /// ``snapshot(environment:version:)`` writes it and OFREP's `flagConfigEtag` echoes it);
    /// `nil` for any other text.
    public static func snapshotVersion(_ etag: String, environment: String) -> Int64? {
        let bare = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let prefix = environment + "-"
        guard bare.hasPrefix(prefix) else { return nil }
        return Int64(bare.dropFirst(prefix.count))
    }

    /// Whether an `If-None-Match` value names `etag` (weak or strong, in a list, or `*`).
    public static func matches(_ ifNoneMatch: String, _ etag: String) -> Bool {
        let bare = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        for candidate in ifNoneMatch.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == bare { return true }
        }
        return false
    }
}
