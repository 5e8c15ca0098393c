extension ClientCore {
    /// Runs the sync loop and the usage reports until the client closes or the calling task
    /// is cancelled. The caller has claimed them with ``claimLoops()``.
    func runLoops(initial: Snapshot?) async {
        defer { loopsEnded() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                switch self.configuration.mode {
                case .local: await SyncLoop(core: self, initial: initial).run()
                case .device: await DeviceLoop(core: self).run()
                }
            }
            if configuration.usageInterval > .zero {
                let configured = configuration.usageInterval
                group.addTask {
                    // Ticks of at most a second, so that a shorter cadence the server asks for
                    // (a release started) applies within a second, not after a whole interval.
                    let tick = min(configured, .seconds(1))
                    var waited: Duration = .zero
                    while (try? await Task.sleep(for: tick)) != nil {
                        waited += tick
                        guard waited >= self.cadence.interval(configured: configured) else { continue }
                        waited = .zero
                        // Not cancelled with the loops: a report cut off after the server
                        // counted it would be put back and counted twice.
                        await Task { await self.flushUsage() }.value
                    }
                }
            }
            group.addTask {
                await self.waitUntilClosed()
            }
            // The loops run until cancelled, so the first child to end is the close signal
            // (or all of them, cancelled with the caller).
            await group.next()
            group.cancelAll()
        }
    }
}
