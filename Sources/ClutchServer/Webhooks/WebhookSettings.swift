/// How the server delivers webhooks. Tests shorten the retry delays.
public struct WebhookSettings: Sendable {
    /// The delay before the first retry; each later one doubles it (with jitter), up to `maximumDelay`.
    public var firstRetryDelay: Duration = .seconds(10)
    /// The longest delay between two attempts.
    public var maximumDelay: Duration = .seconds(3600)
    /// How long a delivery is retried before it is marked failed (at least 24 hours).
    public var retryWindow: Duration = .seconds(26 * 3600)
    /// The longest an attempt may take, connecting included: a hanging receiver costs no more.
    public var requestTimeout: Duration = .seconds(10)
    /// Attempts in flight at once, across all webhooks.
    public var concurrency = 16
    /// Attempts in flight at once to one webhook, so one slow receiver cannot take every slot.
    public var concurrencyPerWebhook = 2

    public init() {}
}
