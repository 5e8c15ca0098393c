import ClutchCore
import Foundation

/// What one turn of the release runner weighed (`release_sample`): the rollout-decided
/// evaluations and errors per side that the counted reporters sent since the turn before, at
/// the step and percentage the release was at. The console draws both sides' error rates over
/// time from these. A release keeps a bounded number: older samples are merged in pairs (their
/// counts added, the later time kept), so one sample may stand for several turns.
public struct ReleaseSample: Sendable, Hashable, Codable {
    public var at: Date
    /// The step, from 1.
    public var step: Int
    public var percent: Double
    public var new: SideCounts
    public var other: SideCounts

    public init(at: Date, step: Int, percent: Double, new: SideCounts, other: SideCounts) {
        self.at = at
        self.step = step
        self.percent = percent
        self.new = new
        self.other = other
    }

    /// Two consecutive samples of one step as one: the counts added, the later time.
    public func merged(with later: ReleaseSample) -> ReleaseSample {
        ReleaseSample(at: later.at, step: later.step, percent: later.percent, new: new + later.new, other: other + later.other)
    }

    /// `samples` (oldest first) thinned to about half: consecutive pairs of the same step merged,
    /// a sample whose neighbour is of another step kept as it is.
    public static func thinned(_ samples: [ReleaseSample]) -> [ReleaseSample] {
        var thinned: [ReleaseSample] = []
        var index = samples.startIndex
        while index < samples.endIndex {
            let next = samples.index(after: index)
            if next < samples.endIndex, samples[next].step == samples[index].step {
                thinned.append(samples[index].merged(with: samples[next]))
                index = samples.index(after: next)
            } else {
                thinned.append(samples[index])
                index = next
            }
        }
        return thinned
    }
}
