extension Duration {
    /// The duration in seconds as a `Double`, for `TimeInterval` APIs and arithmetic.
    var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// A duration from a number of seconds; negative and non-finite values become zero.
    static func clampedSeconds(_ seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .nanoseconds(Int64(min(seconds, 9.0e9) * 1e9))
    }
}
