import Foundation

/// Entity tags of the SDK protocol: how a snapshot is named for `If-None-Match`.
public enum EntityTag {
    /// The ETag of an environment's snapshot at `version`: `"<environment>-<version>"`.
    public static func snapshot(environment: String, version: Int64) -> String {
        "\"\(environment)-\(version)\""
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
