import Foundation

/// How a guarded release widens: the variant released, the sticky attribute it is bucketed by,
/// the percentages it goes through, how long each lasts at least, how many evaluations each
/// side needs before a step, and the error ratio that counts as a regression.
public struct ReleasePolicy: Sendable, Hashable, Codable {
    /// The variant being released (the "new" side).
    public var variant: String
    /// The context attribute the rollout is bucketed by (sticky per value).
    public var bucketBy: String
    /// Percentages of the rollout, increasing; the last is 100.
    public var steps: [Double]
    /// The least time a step lasts, in seconds.
    public var stepDuration: Double
    /// Evaluations each side needs in a step before the release may widen.
    public var minSamples: Int64
    /// The new variant is worse when its error rate exceeds this many times the other side's.
    public var maxErrorRatio: Double

    public static let defaultSteps: [Double] = [1, 5, 25, 50, 100]
    public static let defaultStepDuration: Double = 600
    public static let defaultMinSamples: Int64 = 500
    public static let defaultMaxErrorRatio = 1.5
    /// The shortest step (tests use seconds).
    public static let minStepDuration: Double = 1

    public init(
        variant: String, bucketBy: String = "targetingKey", steps: [Double] = Self.defaultSteps,
        stepDuration: Double = Self.defaultStepDuration, minSamples: Int64 = Self.defaultMinSamples,
        maxErrorRatio: Double = Self.defaultMaxErrorRatio
    ) {
        self.variant = variant
        self.bucketBy = bucketBy
        self.steps = steps
        self.stepDuration = stepDuration
        self.minSamples = minSamples
        self.maxErrorRatio = maxErrorRatio
    }

    /// The problems with this policy, each naming its field; empty when it is usable.
    public func issues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if variant.isEmpty { issues.append(ValidationIssue(path: "variant", message: "give the variant to release")) }
        if bucketBy.isEmpty { issues.append(ValidationIssue(path: "bucketBy", message: "give the attribute to bucket by")) }
        if steps.count < 2 || steps.count > 20 {
            issues.append(ValidationIssue(path: "steps", message: "give 2–20 percentages, e.g. 1,5,25,50,100"))
        } else if let bad = steps.firstIndex(where: { !$0.isFinite || $0 <= 0 || $0 > 100 }) {
            issues.append(ValidationIssue(path: "steps[\(bad)]", message: "a step is a percentage above 0 and at most 100"))
        } else if zip(steps, steps.dropFirst()).contains(where: { $0 >= $1 }) {
            issues.append(ValidationIssue(path: "steps", message: "steps must increase"))
        } else if steps.last != 100 {
            issues.append(ValidationIssue(path: "steps", message: "the last step must be 100"))
        }
        if !stepDuration.isFinite || stepDuration < Self.minStepDuration || stepDuration > 30 * 86_400 {
            issues.append(ValidationIssue(path: "stepDuration", message: "a step lasts 1 s to 30 days"))
        }
        if minSamples < 1 || minSamples > 1_000_000_000 {
            issues.append(ValidationIssue(path: "minSamples", message: "minSamples must be 1–1000000000"))
        }
        if !maxErrorRatio.isFinite || maxErrorRatio < 1 || maxErrorRatio > 100 {
            issues.append(ValidationIssue(path: "maxErrorRatio", message: "maxErrorRatio must be 1–100"))
        }
        return issues
    }
}

/// Durations as people type them: `90s`, `10m`, `2h`, `1h30m`, or plain seconds.
public enum ReleaseDuration {
    /// Seconds in `text`; `nil` when it is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let plain = Double(text) { return plain.isFinite && plain >= 0 ? plain : nil }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in text {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            let unit: Double
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            default: return nil
            }
            guard let value = Double(number), value.isFinite else { return nil }
            total += value * unit
            number = ""
            sawUnit = true
        }
        return sawUnit && number.isEmpty ? total : nil
    }

    /// `600` → `10m`, `5400` → `1h30m`, `1.5` → `1.5s`.
    public static func text(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "\(seconds)s" }
        if seconds != seconds.rounded() || seconds < 60 { return "\(ReleaseFormat.number(seconds))s" }
        var rest = Int(seconds)
        var text = ""
        if rest >= 3600 { text += "\(rest / 3600)h"; rest %= 3600 }
        if rest >= 60 { text += "\(rest / 60)m"; rest %= 60 }
        if rest > 0 { text += "\(rest)s" }
        return text
    }
}

/// Numbers in release messages: no trailing `.0`.
public enum ReleaseFormat {
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3g", value)
    }

    public static func percent(_ value: Double) -> String { number(value) + " %" }
}
