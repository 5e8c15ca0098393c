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
    /// How long a replica's claim on a delivery lasts unless renewed: renewed every third of it
    /// while the attempt runs (however long `requestTimeout` lets it take), so a delivery held by a
    /// replica that died (`kill -9`, a lost machine) is sent by another one this long after at most.
    public var claimLease: Duration = .seconds(5)
    /// Attempts in flight at once, across all webhooks.
    public var concurrency = 16
    /// Attempts in flight at once to one webhook, so one slow receiver cannot take every slot.
    public var concurrencyPerWebhook = 2
    /// Which addresses deliveries may go to: public ones only unless the operator allows
    /// internal ones (`--webhook-allow-private`, `--webhook-allow CIDR`). Tests that deliver to a
    /// receiver on 127.0.0.1 allow it.
    public var targets = WebhookTargetPolicy()

    public init() {}
}
