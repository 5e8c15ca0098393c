import Synchronization

/// A sleep that a signal ends early: a background loop waits until its next deadline or until
/// something it cares about happened, whichever comes first. A signal sent while nobody waits
/// is kept, so none is lost between a loop's check and its wait. One waiter at a time.
final class Wakeup: Sendable {
    private struct State {
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Ends the current wait, or the next one if nobody waits now.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.signalled = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns at `deadline` on `clock`, on a signal, or when the task is cancelled.
    func wait(until deadline: ContinuousClock.Instant, on clock: any ServerClock) async {
        if state.withLock({ state in
            defer { state.signalled = false }
            return state.signalled
        }) { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: deadline) }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
        }
        // Whatever woke us, the caller now looks at the store: earlier signals are covered.
        state.withLock { $0.signalled = false }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.signalled || Task.isCancelled {
                        state.signalled = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
    }
}
