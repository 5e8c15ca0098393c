import ClutchCore
import Foundation

/// Code reference rows (`code_scan`, `code_ref`, `code_ref_removal`), written once for both databases.
extension Rows {
    /// References written per statement: a few thousand parameters, within both databases' limits.
    static let codeReferenceBatch = 500

    /// Replaces the branch's scan row and its references with `references`.
    static func replaceScan(_ session: any SQLSession, _ upload: CodeScanUpload, references: [CodeReference], at now: Date) async throws {
        // The scan's references go with it (ON DELETE CASCADE).
        try await session.execute("DELETE FROM code_scan WHERE repo = \(upload.repo) AND branch = \(upload.branch)")
        try await session.execute(
            """
            INSERT INTO code_scan (repo, branch, commit_sha, scanned_at, reference_count)
            VALUES (\(upload.repo), \(upload.branch), \(upload.commit), \(now), \(references.count))
            """)
        var start = 0
        while start < references.count {
            let batch = references[start..<min(start + codeReferenceBatch, references.count)]
            var statement: SQL = "INSERT INTO code_ref (repo, branch, flag, path, line, context, alias) VALUES "
            for (offset, reference) in batch.enumerated() {
                statement.append(
                    "\(raw: offset == 0 ? "" : ", ")(\(upload.repo), \(upload.branch), \(reference.flag), \(reference.path), \(reference.line), \(reference.context), \(reference.alias))")
            }
            try await session.execute(statement)
            start += codeReferenceBatch
        }
    }

    /// Records that the branch's scan of `upload.commit` no longer references `flags`.
    static func recordRemovals(_ session: any SQLSession, _ flags: [String], from upload: CodeScanUpload, at now: Date) async throws {
        for flag in flags {
            try await session.execute(
                """
                INSERT INTO code_ref_removal (flag, repo, branch, commit_sha, removed_at)
                VALUES (\(flag), \(upload.repo), \(upload.branch), \(upload.commit), \(now))
                ON CONFLICT (flag, repo, branch) DO UPDATE SET commit_sha = excluded.commit_sha, removed_at = excluded.removed_at
                """)
        }
    }

    static func codeScans(_ session: any SQLSession) async throws -> [CodeScan] {
        let order = session.dialect.byteOrder
        return try await session.rows("SELECT * FROM code_scan ORDER BY repo\(raw: order), branch\(raw: order)").map { row in
            CodeScan(
                repo: try row.get("repo"), branch: try row.get("branch"), commit: try row.get("commit_sha"),
                scannedAt: try row.get("scanned_at"), references: try row.get("reference_count"))
        }
    }

    /// The references and removals of `flag` (every flag when `nil`), by flag key.
    static func codeReferences(_ session: any SQLSession, flag: String?) async throws -> [String: FlagCodeReferences] {
        let order = session.dialect.byteOrder
        let only: SQL = flag.map { "WHERE r.flag = \($0)" } ?? ""
        var result: [String: FlagCodeReferences] = [:]
        for row in try await session.rows(
            """
            SELECT r.flag, r.repo, r.branch, s.commit_sha, r.path, r.line, r.context, r.alias
            FROM code_ref r JOIN code_scan s ON s.repo = r.repo AND s.branch = r.branch \(only)
            ORDER BY r.flag\(raw: order), r.repo\(raw: order), r.branch\(raw: order), r.path\(raw: order), r.line
            """)
        {
            let key: String = try row.get("flag")
            result[key, default: FlagCodeReferences(flag: key, references: [], removals: [])].references.append(CodeReferenceLocation(
                repo: try row.get("repo"), branch: try row.get("branch"), commit: try row.get("commit_sha"), path: try row.get("path"),
                line: try row.get("line"), context: try row.get("context"), alias: try row.get("alias")))
        }
        let onlyRemoval: SQL = flag.map { "WHERE flag = \($0)" } ?? ""
        for row in try await session.rows(
            "SELECT * FROM code_ref_removal \(onlyRemoval) ORDER BY flag\(raw: order), repo\(raw: order), branch\(raw: order)")
        {
            let key: String = try row.get("flag")
            result[key, default: FlagCodeReferences(flag: key, references: [], removals: [])].removals.append(CodeReferenceRemoval(
                repo: try row.get("repo"), branch: try row.get("branch"), commit: try row.get("commit_sha"), removedAt: try row.get("removed_at")))
        }
        return result
    }
}
