import ClutchCore
import Foundation

/// Code references: the latest scan of each repository and branch, and the branches that
/// referenced a flag no more. A scan is no change to a flag (no revision, no snapshot version,
/// no audit event: CI uploads one per build); it runs under the write lock so that two uploads
/// of one branch replace each other whole, never interleaved.
extension SQLStore {
    /// Replaces the scan of `upload.repo` and `upload.branch` with `upload`, stamped with the
    /// store's time. Each flag the previous scan referenced and this one does not is recorded as
    /// removed from the branch in `upload.commit` (kept until a scan references it again); the
    /// answer names them. Refused (400 naming the field) beyond ``CodeReferenceLimits`` or for a
    /// flag that does not exist.
    public func replaceCodeReferences(_ upload: CodeScanUpload) async throws -> CodeScanResult {
        try await write { session in
            try CodeScanRules.check(upload, knownFlags: Set(try await session.values(String.self, "SELECT key FROM flag")))
            let references = CodeScanRules.distinct(upload.references)
            let now = session.now
            let previous = Set(try await session.values(
                String.self, "SELECT DISTINCT flag FROM code_ref WHERE repo = \(upload.repo) AND branch = \(upload.branch)"))
            let current = Set(references.map(\.flag))
            try await Rows.replaceScan(session, upload, references: references, at: now)
            let removed = previous.subtracting(current).sorted()
            try await Rows.recordRemovals(session, removed, from: upload, at: now)
            try await session.execute(
                """
                DELETE FROM code_ref_removal
                WHERE repo = \(upload.repo) AND branch = \(upload.branch) AND \(session.dialect.isElement("flag", of: current.sorted()))
                """)
            let scan = CodeScan(repo: upload.repo, branch: upload.branch, commit: upload.commit, scannedAt: now, references: references.count)
            return CodeScanResult(scan: scan, removed: removed)
        }
    }

    /// Every stored scan, sorted by repository and branch.
    public func codeScans() async throws -> [CodeScan] {
        try await read { session in try await Rows.codeScans(session) }
    }

    /// Where the flag `key` is referenced in the latest scan of each branch, and the branches
    /// that referenced it no more; `notFound` for an unknown flag.
    public func codeReferences(flag key: String) async throws -> FlagCodeReferences {
        try await read { session in
            _ = try await Rows.requireFlag(session, key)
            return try await Rows.codeReferences(session, flag: key)[key] ?? FlagCodeReferences(flag: key, references: [], removals: [])
        }
    }

    /// The references of every flag that has any, or was referenced once (flag key → its
    /// references and removals): one read for a report over all flags (`clutch cleanup`).
    public func codeReferences() async throws -> [String: FlagCodeReferences] {
        try await read { session in try await Rows.codeReferences(session, flag: nil) }
    }
}
