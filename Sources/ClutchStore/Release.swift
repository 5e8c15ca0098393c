import ClutchCore
import Foundation

/// A guarded release of one variant of a flag in one environment (see `SQLStore+Releases`).
public struct Release: Sendable, Hashable, Codable {
    /// The actor of the changes the release makes by itself.
    public static let guardActor = "clutch-guard"

    public var id: Int64
    public var flag: String
    public var environment: String
    public var state: ReleaseState
    public var policy: ReleasePolicy
    public var progress: ReleaseProgress
    /// Why the release is paused, rolled back or aborted.
    public var reason: String?
    /// The message it was started with.
    public var message: String?
    public var startedBy: String
    public var startedAt: Date
    public var updatedAt: Date
    /// Every transition, oldest first (filled in by reads that ask for them).
    public var transitions: [ReleaseTransition]
    /// What the flag served before the release: what an abort returns to. `nil` for releases
    /// started by versions that did not record it (their abort goes to 0 %).
    public var replaced: ReleaseBaseline? = nil
    /// The variant's percentage an abort left (`nil` until aborted, and for aborts by older versions: 0).
    public var abortedTo: Double? = nil
    /// What the runner weighed at each turn, oldest first (filled in with the transitions).
    public var samples: [ReleaseSample] = []

    /// The new variant's current percentage (0 once rolled back; what an abort left).
    public var percent: Double {
        switch state {
        case .rolledBack: 0
        case .aborted: abortedTo ?? 0
        case .completed: 100
        case .running, .paused: policy.percent(at: progress.stepIndex)
        }
    }
}

/// Where `abort` takes the flag.
public enum ReleaseAbortTarget: String, Sendable, Hashable, CaseIterable {
    /// Back to what it served before the release (``Release/replaced``), as one revision: its
    /// default, and off again if it was off. Never turns a flag on. A release started by an older
    /// version, which did not record it, goes to 0 % instead.
    case before
    /// The released variant to 0 % for everyone not targeted (the flag stays on), as an abort did
    /// before releases recorded what they replaced.
    case zero
}
