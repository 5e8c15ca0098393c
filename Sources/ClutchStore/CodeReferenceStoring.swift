import Foundation

/// Code references uploaded by `clutch refs scan --upload`: the latest scan of each repository
/// and branch, and the branches whose scans referenced a flag no more. Part of ``ClutchStoring``.
///
/// Every implementation guarantees that an upload replaces its branch's previous scan whole, in
/// one transaction (two uploads of one branch never interleave), and that a flag the previous
/// scan referenced and the new one does not is recorded as removed in the new scan's commit.
public protocol CodeReferenceStoring: Sendable {
    /// Replaces the scan of the upload's repository and branch; answers the flags it no longer references.
    func replaceCodeReferences(_ upload: CodeScanUpload) async throws -> CodeScanResult
    /// Every stored scan, sorted by repository and branch.
    func codeScans() async throws -> [CodeScan]
    /// Where the flag is referenced, and the branches that referenced it no more; `notFound` for an unknown flag.
    func codeReferences(flag key: String) async throws -> FlagCodeReferences
    /// The references and removals of every flag that has any, by flag key.
    func codeReferences() async throws -> [String: FlagCodeReferences]
}
