import AsyncHTTPClient

/// One connection to `/sdk/v1/stream` or `/sdk/v1/client/stream`: its body parsed into
/// events as bytes arrive.
enum EventStream {
    /// Reads the stream until the server ends it, passing each event to `deliver`. Throws
    /// the request's error, or ``ClutchError/missedHeartbeat`` once no byte has arrived for
    /// `heartbeatTimeout` (the server sends a comment at least every 15 seconds, so silence
    /// means a dead connection that TCP alone may take many minutes to notice). Cancelling
    /// the calling task cancels the request.
    ///
    /// `open` opens the stream; it is given the time the server has to accept it.
    static func receive(
        heartbeatTimeout: Duration, open: @escaping @Sendable (_ headTimeout: Duration) async throws -> HTTPClientResponse.Body,
        deliver: @escaping @Sendable (ServerSentEvent) -> Void
    ) async throws {
        let lastActivity = Locked(ContinuousClock.now)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await watch(lastActivity, timeout: heartbeatTimeout)
            }
            group.addTask {
                let body = try await open(heartbeatTimeout + .seconds(5))
                var parser = ServerSentEventParser()
                for try await chunk in body {
                    lastActivity.withLock { $0 = .now }
                    for event in parser.parse(chunk.readableBytesView) { deliver(event) }
                }
            }
            // Whichever ends first decides: the server ending the body, or an error of either.
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Throws ``ClutchError/missedHeartbeat`` once `lastActivity` is `timeout` old. Sleeps
    /// until that moment rather than ticking, so an idle connection costs one wake-up per
    /// heartbeat.
    private static func watch(_ lastActivity: Locked<ContinuousClock.Instant>, timeout: Duration) async throws {
        let clock = ContinuousClock()
        while true {
            let deadline = lastActivity.withLock { $0 } + timeout
            if clock.now >= deadline { throw ClutchError.missedHeartbeat }
            try await clock.sleep(until: deadline)
        }
    }
}
