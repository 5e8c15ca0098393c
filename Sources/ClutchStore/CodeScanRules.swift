import ClutchCore
import Foundation

/// The rules an uploaded scan (``CodeScanUpload``) must follow, in one place: names and
/// references within ``CodeReferenceLimits``, references to flags that exist. A refusal names
/// the field (`references[3].flag`).
enum CodeScanRules {
    static func check(_ upload: CodeScanUpload, knownFlags: Set<String>) throws {
        try checkName(upload.repo, field: "repo")
        try checkName(upload.branch, field: "branch")
        guard (1...CodeReferenceLimits.maxCommit).contains(upload.commit.utf8.count),
              upload.commit.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else {
            throw refusal("commit", "must be 1 to \(CodeReferenceLimits.maxCommit) letters and digits (a commit's SHA)")
        }
        guard upload.references.count <= CodeReferenceLimits.maxReferences else {
            throw refusal("references", "at most \(CodeReferenceLimits.maxReferences) references in one scan, got \(upload.references.count)")
        }
        for (index, reference) in upload.references.enumerated() {
            let field = "references[\(index)]"
            guard knownFlags.contains(reference.flag) else { throw refusal("\(field).flag", "unknown flag '\(reference.flag)'") }
            guard !reference.path.isEmpty, reference.path.count <= CodeReferenceLimits.maxPath, !hasControlCharacters(reference.path) else {
                throw refusal("\(field).path", "must be 1 to \(CodeReferenceLimits.maxPath) characters without control characters")
            }
            guard reference.line >= 1 else { throw refusal("\(field).line", "must be at least 1, got \(reference.line)") }
            guard reference.context.count <= CodeReferenceLimits.maxContext, !reference.context.contains(where: \.isNewline) else {
                throw refusal("\(field).context", "must be one line of at most \(CodeReferenceLimits.maxContext) characters")
            }
            if let alias = reference.alias, alias.isEmpty || alias.count > CodeReferenceLimits.maxName || hasControlCharacters(alias) {
                throw refusal("\(field).alias", "must be 1 to \(CodeReferenceLimits.maxName) characters without control characters")
            }
        }
    }

    /// The references to store: one per flag, file and line (a line naming a flag twice, by its
    /// key and by an alias, is one reference: the first given).
    static func distinct(_ references: [CodeReference]) -> [CodeReference] {
        struct Place: Hashable {
            var flag: String
            var path: String
            var line: Int
        }
        var seen: Set<Place> = []
        return references.filter { seen.insert(Place(flag: $0.flag, path: $0.path, line: $0.line)).inserted }
    }

    private static func checkName(_ name: String, field: String) throws {
        guard !name.isEmpty, name.count <= CodeReferenceLimits.maxName, !hasControlCharacters(name),
              !name.contains(where: \.isWhitespace)
        else {
            throw refusal(field, "must be 1 to \(CodeReferenceLimits.maxName) characters without spaces or control characters")
        }
    }

    private static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    private static func refusal(_ field: String, _ message: String) -> StoreError {
        StoreError.invalid(ValidationError(path: field, message))
    }
}
