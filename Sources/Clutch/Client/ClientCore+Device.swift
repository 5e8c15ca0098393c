/// Device mode's state: which person the client answers for, and the switches between them.
extension ClientCore {
    /// The person answered for now, and the switch that set them.
    var deviceContext: (context: EvaluationContext, generation: UInt64) {
        device.withLock { ($0.context, $0.generation) }
    }

    /// The answers kept on disk for `context`'s targeting key, served with reason `CACHED`.
    func cachedAnswers(for context: EvaluationContext) -> FlagSource? {
        answerCache?.load(targetingKey: context.targetingKey ?? "").map { FlagSource(answers: $0.answers, reason: .cached) }
    }

    /// Switches to `context` and returns the new generation. Evaluations switch at once, in one
    /// swap, to the answers kept on disk for that person (reason `CACHED`) or to none (the
    /// caller's default with `PROVIDER_NOT_READY`) — never the previous person's answers; the
    /// device loop then reopens the stream for the new context and installs the server's.
    func switchContext(to context: EvaluationContext) -> UInt64 {
        let cached = cachedAnswers(for: context)
        let (generation, waiters) = device.withLock { device in
            device.context = context
            device.generation += 1
            // Under the device lock: an answer for the previous person, installed by the loop
            // at this moment, is either replaced here or dropped by `installAnswers`.
            let previous = source.withLock { current in
                defer { current = cached }
                return current
            }
            if let cached { usage?.adopt(cached.usage) }
            notifyChanged(FlagSource.changedAnswers(from: previous, to: cached))
            defer { device.switchWaiters.removeAll() }
            return (device.generation, Array(device.switchWaiters.values))
        }
        for waiter in waiters { waiter.resume() }
        // The previous person's last answers may still wait in the writer, which keeps only
        // the newest item: write them before the new person's replace them.
        answerWriter?.flush()
        return generation
    }

    /// Installs the server's answers for `generation` and schedules `keep` for the disk,
    /// unless the client has switched to another person since (then nothing happens and
    /// `false` is returned). Wakes the ``waitForAnswers(generation:)`` callers of that
    /// generation and earlier.
    @discardableResult
    func installAnswers(_ next: FlagSource, generation: UInt64, keep: AnswerCache.Pending) -> Bool {
        let waiters: [CheckedContinuation<Void, any Error>]? = device.withLock { device in
            guard device.generation == generation, !device.closed else { return nil }
            let changed = FlagSource.changedAnswers(from: source.withLock { $0 }, to: next)
            install(next, changed: changed, status: .ready)
            // Under the lock: a switch flushes the writer after it, so this write is not lost.
            answerWriter?.schedule(keep)
            device.answered = max(device.answered, generation)
            let done = device.answerWaiters.filter { $0.value.generation <= generation }
            for id in done.keys { device.answerWaiters.removeValue(forKey: id) }
            return done.values.map(\.continuation)
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume() }
        return true
    }

    /// Returns once the server's answers for `generation` (or a later one) are served;
    /// throws ``ClutchError/closed`` when the client closes first.
    func waitForAnswers(generation: UInt64) async throws {
        let id = device.withLock { device in
            device.nextID += 1
            return device.nextID
        }
        try await device.wait { device in
            if device.answered >= generation { return .success(()) }
            if device.closed { return .failure(ClutchError.closed) }
            return nil
        } store: { device, continuation in
            device.answerWaiters[id] = (generation, continuation)
        } unregister: {
            $0.answerWaiters.removeValue(forKey: id)?.continuation
        }
    }

    /// Returns once the client switches past `generation`, closes, or the calling task is cancelled.
    func waitForSwitch(after generation: UInt64) async {
        let id = device.withLock { device in
            device.nextID += 1
            return device.nextID
        }
        await device.wait { $0.generation != generation || $0.closed } store: { device, continuation in
            device.switchWaiters[id] = continuation
        } unregister: {
            $0.switchWaiters.removeValue(forKey: id)
        }
    }

    /// Ends device waits on close: ``waitForAnswers(generation:)`` throws ``ClutchError/closed``.
    func closeDevice() {
        let (answerWaiters, switchWaiters) = device.withLock { device in
            device.closed = true
            defer {
                device.answerWaiters.removeAll()
                device.switchWaiters.removeAll()
            }
            return (device.answerWaiters.values.map(\.continuation), Array(device.switchWaiters.values))
        }
        for waiter in answerWaiters { waiter.resume(throwing: ClutchError.closed) }
        for waiter in switchWaiters { waiter.resume() }
    }
}
