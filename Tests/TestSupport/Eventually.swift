/// Polls `condition` until it holds or `timeout` passes: bounds a wait for a signal without
/// timing anything (a loaded machine only makes it take longer, never fail sooner).
public func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}
