import ClutchStore
import Foundation

/// When a failed delivery is tried again: exponential backoff with jitter, from
/// `firstRetryDelay` doubling up to `maximumDelay`, until `retryWindow` after the event.
struct RetryPolicy: Sendable {
    let settings: WebhookSettings

    /// What to do after the attempt number `attempts` (1 = the first) failed at `now`.
    /// `random` in 0...1 spreads the delay over its upper half ("equal jitter"), so receivers
    /// coming back after an outage are not hit by every delivery at the same instant.
    func afterFailure(attempts: Int, createdAt: Date, now: Date, random: Double) -> DeliveryResult {
        if now >= createdAt.addingTimeInterval(settings.retryWindow.seconds) { return .failed }
        let exponent = Double(min(max(attempts - 1, 0), 40))
        let delay = min(settings.firstRetryDelay.seconds * pow(2, exponent), settings.maximumDelay.seconds)
        return .retry(at: now.addingTimeInterval(delay / 2 + delay / 2 * min(max(random, 0), 1)))
    }
}
