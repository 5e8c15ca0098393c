import ClutchCore

/// Percentages as the CLI takes them (`10`, `12.5`, `0.001`, up to three decimals, 0–100)
/// and rollout weights out of ``Rollout/totalWeight``, converted exactly without floating point.
enum Percent {
    /// The weight out of 100,000 for `text`; `option` names the option in messages.
    static func weight(_ text: String, option: String) throws -> Int {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasSuffix("%") { body = body.dropLast() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts.first ?? ""
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty, whole.allSatisfy(\.isASCII), whole.allSatisfy(\.isNumber),
            fraction.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !fraction.isEmpty
        else {
            throw CLIError.failed("\(option) must be a percentage between 0 and 100, got '\(text)'")
        }
        guard fraction.count <= 3 else {
            throw CLIError.failed("\(option) takes at most 3 decimals (0.001 % steps), got '\(text)'")
        }
        guard whole.count <= 4, let wholeValue = Int(whole),
            let fractionValue = Int(fraction.padding(toLength: 3, withPad: "0", startingAt: 0))
        else {
            throw CLIError.failed("\(option) must be between 0 and 100, got \(text)")
        }
        let weight = wholeValue * 1000 + fractionValue
        guard weight <= Rollout.totalWeight else {
            throw CLIError.failed("\(option) must be between 0 and 100, got \(text)")
        }
        return weight
    }

    /// A weight out of 100,000 as a percentage for people: `12.5`, `10`, `0.001`.
    static func text(_ weight: Int) -> String {
        Describe.percent(weight)
    }

    /// Parses `a=25,b=25,c=50` into weights in that order; they must sum to 100.
    static func weights(_ spec: String) throws -> [Rollout.Weight] {
        var weights: [Rollout.Weight] = []
        for part in spec.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else {
                throw CLIError.failed("--weights takes VARIANT=PERCENT pairs like a=25,b=25,c=50, got '\(part)'")
            }
            let variant = pair[0].trimmingCharacters(in: .whitespaces)
            if weights.contains(where: { $0.variant == variant }) {
                throw CLIError.failed("--weights names variant '\(variant)' twice")
            }
            weights.append(Rollout.Weight(variant: variant, weight: try weight(String(pair[1]), option: "--weights \(variant)")))
        }
        guard !weights.isEmpty else { throw CLIError.failed("--weights needs VARIANT=PERCENT pairs like a=25,b=25,c=50") }
        let total = weights.reduce(0) { $0 + $1.weight }
        guard total == Rollout.totalWeight else {
            throw CLIError.failed(
                "--weights must sum to 100, got \(Percent.text(total)) (\(weights.map { "\($0.variant)=\(Percent.text($0.weight))" }.joined(separator: " + ")))")
        }
        return weights
    }
}
