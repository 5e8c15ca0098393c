import Testing
import ClutchCore

@Suite struct BucketingTests {
    /// flagd's published example: salt `fractional-flag`, four equal weights, value `jack` → hearts.
    @Test func flagdExampleServesHearts() {
        let suits = ["clubs", "diamonds", "hearts", "spades"]
        let flag = Flag(
            key: "fractional-flag", type: .string,
            variants: suits.map { Variant(key: $0, value: .string($0)) }, offVariant: "clubs",
            environments: ["production": FlagState(enabled: true, default: .rollout(Rollout(
                bucketBy: "targetingKey", weights: suits.map { Rollout.Weight(variant: $0, weight: 25_000) })))])
        let result = engine([flag]).evaluate("fractional-flag", context: context("jack"))
        #expect(result.variant == "hearts")
        #expect(result.value == .string("hearts"))
        #expect(result.reason == .split)
    }

    func percentFlag(_ percent: Double, bucketBy: String = "targetingKey", salt: String? = nil) -> Flag {
        Flag(key: "rollout", salt: salt, environments: ["production": FlagState(
            enabled: true, default: .rollout(.percentage(percent, of: "on", rest: "off", bucketBy: bucketBy)))])
    }

    @Test func twentyFivePercentOfOneHundredThousandKeys() {
        let e = engine([percentFlag(25)])
        var on = 0
        for i in 0..<100_000 where e.evaluate("rollout", context: context("user-\(i)")).variant == "on" {
            on += 1
        }
        #expect((24_500...25_500).contains(on), "got \(on) of 100000")
    }

    @Test func raisingThePercentageOnlyAddsUsers() {
        let ten = engine([percentFlag(10)])
        let twenty = engine([percentFlag(20)])
        var onAtTen = 0
        for i in 0..<100_000 {
            let ctx = context("user-\(i)")
            guard ten.evaluate("rollout", context: ctx).variant == "on" else { continue }
            onAtTen += 1
            #expect(twenty.evaluate("rollout", context: ctx).variant == "on", "user-\(i) lost the feature at 20 %")
        }
        #expect(onAtTen > 9_000)
    }

    @Test func bucketingIsStickyAndSaltDependent() {
        let a = engine([percentFlag(50)])
        let b = engine([percentFlag(50, salt: "other-salt")])
        var differ = 0
        for i in 0..<1_000 {
            let ctx = context("user-\(i)")
            #expect(a.evaluate("rollout", context: ctx).variant == a.evaluate("rollout", context: ctx).variant)
            if a.evaluate("rollout", context: ctx).variant != b.evaluate("rollout", context: ctx).variant { differ += 1 }
        }
        #expect(differ > 300, "a new salt must reshuffle buckets")
    }

    @Test func perCustomerRolloutGivesEveryUserOfACustomerTheSameVariant() {
        let e = engine([percentFlag(50, bucketBy: "customerId")])
        for customer in 0..<50 {
            let variants = Set((0..<20).map { user in
                e.evaluate("rollout", context: context("u\(customer)-\(user)", ["customerId": .string("c\(customer)")])).variant
            })
            #expect(variants.count == 1)
        }
    }

    @Test func contextWithoutTheBucketingAttributeGetsTheOffVariant() {
        let result = engine([percentFlag(100, bucketBy: "customerId")]).evaluate("rollout", context: context("u1"))
        #expect(result.variant == "off")
        #expect(result.reason == .default)
    }

    @Test(arguments: [0.0, 100.0])
    func zeroAndOneHundredPercentAreExact(percent: Double) {
        let e = engine([percentFlag(percent)])
        let expected = percent == 100 ? "on" : "off"
        for i in 0..<2_000 {
            #expect(e.evaluate("rollout", context: context("k\(i)")).variant == expected)
        }
    }

    @Test func percentageHasThousandthPrecision() {
        let rollout = Rollout.percentage(12.345, of: "on", rest: "off")
        #expect(rollout.weights.map(\.weight) == [12_345, 87_655])
    }
}
