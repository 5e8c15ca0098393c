extension ClientCore {
    /// Runs the sync loop and the usage reports until the client closes or the calling task
    /// is cancelled. The caller has claimed them with ``claimLoops()``.
    func runLoops(initial: Snapshot?) async {
        defer { loopsEnded() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await SyncLoop(core: self, initial: initial).run()
            }
            if configuration.usageInterval > .zero {
                let interval = configuration.usageInterval
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil {
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
