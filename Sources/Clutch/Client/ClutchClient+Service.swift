import ServiceLifecycle

extension ClutchClient: Service {
    /// Syncs until the service group shuts down gracefully or cancels this task, then closes
    /// the client (see ``close()``) and returns. Add the client to the application's
    /// `ServiceGroup` rather than calling this directly.
    ///
    /// A client created with ``Start/onRun`` syncs inside this call. One that already syncs
    /// (``Start/immediately``) keeps its loops; `run()` then only ties its close to the group.
    public func run() async {
        let core = self.core
        let initial = self.initial
        await withTaskCancellationOrGracefulShutdownHandler {
            if core.claimLoops() {
                await core.runLoops(initial: initial)
            } else {
                await core.waitUntilClosed()
            }
        } onCancelOrGracefulShutdown: {
            core.shutdown()
        }
        await close()
    }
}
