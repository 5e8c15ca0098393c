import Foundation

/// One move of a release: what the outbox of notifications hears about. Every transition is
/// written by `Tables.recordTransition`, in the transaction of the change it describes.
public struct ReleaseTransition: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case started, step, paused, resumed
        case rolledBack = "rolled_back"
        case completed, aborted
    }

    public var kind: Kind
    public var actor: String
    /// What happened, with the figures.
    public var message: String
    /// The flag revision the transition wrote, when it changed the flag.
    public var revision: Int64?
    public var at: Date

    public init(kind: Kind, actor: String, message: String, revision: Int64?, at: Date) {
        self.kind = kind
        self.actor = actor
        self.message = message
        self.revision = revision
        self.at = at
    }
}
