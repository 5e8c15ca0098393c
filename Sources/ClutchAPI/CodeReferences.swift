import Foundation

// Code references: where flags are used in source trees, as `clutch refs scan` finds them and
// `--upload` stores them (`POST /api/v1/code-refs`), one scan per repository and branch.

/// One place a flag is referenced in a source tree.
public struct CodeReference: Sendable, Hashable, Codable {
    /// The flag's key.
    public var flag: String
    /// The file, relative to the repository's root, with `/` between directories.
    public var path: String
    /// The line, from 1.
    public var line: Int
    /// The line itself, trimmed and cut to ``CodeReferenceLimits/maxContext`` characters: enough
    /// to recognise the call site without opening the file.
    public var context: String
    /// The name that matched when it was not the key itself: a generated accessor
    /// (`newCheckout`) or a name from `.clutch/refs.yaml`.
    public var alias: String?

    public init(flag: String, path: String, line: Int, context: String, alias: String? = nil) {
        self.flag = flag
        self.path = path
        self.line = line
        self.context = context
        self.alias = alias
    }

    public enum CodingKeys: String, CodingKey { case flag, path, line, context, alias }
}

/// `POST /api/v1/code-refs`: the references one scan of one commit found. It replaces the
/// previous scan of the same repository and branch.
public struct CodeScanUpload: Sendable, Hashable, Codable {
    /// The repository's name as the team knows it (`app-ios`).
    public var repo: String
    public var branch: String
    /// The commit scanned (a SHA, usually abbreviated).
    public var commit: String
    public var references: [CodeReference]

    public init(repo: String, branch: String, commit: String, references: [CodeReference]) {
        self.repo = repo
        self.branch = branch
        self.commit = commit
        self.references = references
    }

    public enum CodingKeys: String, CodingKey { case repo, branch, commit, references }
}

/// The latest scan of one repository and branch.
public struct CodeScan: Sendable, Hashable, Codable {
    public var repo: String
    public var branch: String
    public var commit: String
    public var scannedAt: Date
    /// The references it found, of every flag.
    public var references: Int

    public init(repo: String, branch: String, commit: String, scannedAt: Date, references: Int) {
        self.repo = repo
        self.branch = branch
        self.commit = commit
        self.scannedAt = scannedAt
        self.references = references
    }
}

/// The answer to an upload: the scan as stored, and the flags it no longer references.
public struct CodeScanResult: Sendable, Hashable, Codable {
    public var scan: CodeScan
    /// The flags the branch's previous scan referenced and this one does not, sorted.
    public var removed: [String]

    public init(scan: CodeScan, removed: [String]) {
        self.scan = scan
        self.removed = removed
    }
}

/// `GET /api/v1/code-refs`: every stored scan, by repository and branch.
public struct CodeScanList: Sendable, Hashable, Codable {
    public var scans: [CodeScan]

    public init(scans: [CodeScan]) { self.scans = scans }
}

/// One reference of a flag in a stored scan.
public struct CodeReferenceLocation: Sendable, Hashable, Codable {
    public var repo: String
    public var branch: String
    public var commit: String
    public var path: String
    public var line: Int
    public var context: String
    public var alias: String?

    public init(repo: String, branch: String, commit: String, path: String, line: Int, context: String, alias: String?) {
        self.repo = repo
        self.branch = branch
        self.commit = commit
        self.path = path
        self.line = line
        self.context = context
        self.alias = alias
    }

    /// `app-ios@main` `Sources/Checkout.swift:12`.
    public var place: String { "\(repo)@\(branch) \(path):\(line)" }
}

/// A branch whose scans referenced a flag and whose latest scan does not any more.
public struct CodeReferenceRemoval: Sendable, Hashable, Codable {
    public var repo: String
    public var branch: String
    /// The first scanned commit without the reference.
    public var commit: String
    public var removedAt: Date

    public init(repo: String, branch: String, commit: String, removedAt: Date) {
        self.repo = repo
        self.branch = branch
        self.commit = commit
        self.removedAt = removedAt
    }

    /// "removed from app-ios@main in 3f2a1c0": the words the CLI and the console show.
    public var sentence: String { "removed from \(repo)@\(branch) in \(commit)" }
}

/// `GET /api/v1/flags/{key}/code-refs`: where a flag is referenced in the latest scan of every
/// branch, and the branches that referenced it no more.
public struct FlagCodeReferences: Sendable, Hashable, Codable {
    public var flag: String
    /// Sorted by repository, branch, path and line.
    public var references: [CodeReferenceLocation]
    /// Sorted by repository and branch.
    public var removals: [CodeReferenceRemoval]

    public init(flag: String, references: [CodeReferenceLocation], removals: [CodeReferenceRemoval]) {
        self.flag = flag
        self.references = references
        self.removals = removals
    }
}

/// What an upload may hold: the server refuses more (400 naming the field), and the scanner
/// cuts contexts to fit before it sends them.
public enum CodeReferenceLimits {
    /// References in one upload.
    public static let maxReferences = 200_000
    /// Characters of a reference's context line.
    public static let maxContext = 200
    /// Characters of a path.
    public static let maxPath = 1024
    /// Characters of a repository or branch name.
    public static let maxName = 200
    /// Characters of a commit: a full SHA-256 object name is 64.
    public static let maxCommit = 64
}
