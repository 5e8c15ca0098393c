import ClutchStore
import Foundation
import Logging
import ServiceLifecycle

/// Applies scheduled changes when they are due (a `Service` of the server's group).
///
/// It sleeps until the next due time, and is woken early when a schedule is added (the store
/// calls back after each commit that adds one), so a change fires within milliseconds of its
/// time without polling. Schedules that fell due while the server was down are applied at start,
/// with a note saying so in the change's message. Each schedule is claimed and applied in one
/// transaction (`FlagStore.runSchedule`), so it fires once and never half, however many
/// replicas run a scheduler on one database. There a schedule added through another replica
/// wakes this one through the store's notification, and the scheduler also looks at least every
/// `longestSleep` (the replica poll interval), so a lost notification makes it seconds late, never missed.
final class ScheduleRunner: Service, Sendable {
    private let services: ServerServices
    private let wakeup = Wakeup()
    /// The longest sleep without looking again: bounds the effect of a clock change, and of a
    /// lost notification from another replica.
    private let longestSleep: Duration
    /// Each look at the due schedules, counted (a test on a ``TestClock`` waits for one).
    let turns: RunnerTurns

    init(services: ServerServices, longestSleep: Duration = .seconds(30), turns: RunnerTurns = RunnerTurns()) {
        self.services = services
        self.longestSleep = longestSleep
        self.turns = turns
        services.store.onScheduleAdded { [wakeup] in wakeup.signal() }
    }

    func run() async throws {
        let clock = services.clock
        let started = clock.now()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let deadline = await self.turns.turn(on: clock) {
                    do {
                        return try await self.runDue(startedAt: started)
                    } catch {
                        self.services.logger.error("scheduler: could not run due schedules", metadata: ["error": "\(error)"])
                        return .seconds(1)
                    }
                }
                await self.wakeup.wait(until: deadline, on: clock)
            }
        }
    }

    /// Applies every schedule due now and answers how long to sleep until the next one.
    private func runDue(startedAt: Date) async throws -> Duration {
        let store = services.store
        let clock = services.clock
        let now = clock.now()
        for id in try await store.dueSchedules(now: now) {
            let schedule = try await store.schedule(id)
            let note = schedule.at < startedAt
                ? "applied \(Self.lateness(now.timeIntervalSince(schedule.at))) late, at server start: the server was not running at the due time"
                : nil
            let (outcome, _) = try await services.write("scheduled_change") {
                let outcome = try await store.runSchedule(id, now: clock.now(), note: note)
                return Change(value: outcome, versions: outcome.change.versions, touched: outcome.change.touched)
            }
            if let record = outcome.value.schedule {
                services.logger.info("scheduled change run", metadata: [
                    "schedule": "\(id)", "status": "\(record.status.rawValue)",
                    "delay_ms": "\(Int(clock.now().timeIntervalSince(record.at) * 1000))",
                ])
            }
        }
        // Approved change requests with a time (`at`), applied by the same scheduler.
        for id in try await store.dueChangeRequests(now: now) {
            let (written, _) = try await services.write("scheduled_change_request") { try await store.runChangeRequest(id, now: clock.now()) }
            if let record = written.value {
                services.logger.info("scheduled change request run", metadata: ["request": "\(id)", "status": "\(record.status.rawValue)"])
            }
        }
        let dues = [try await store.nextScheduleDue(), try await store.nextChangeRequestDue()].compactMap { $0 }
        guard let next = dues.min() else { return longestSleep }
        let seconds = max(0, next.timeIntervalSince(clock.now()))
        return min(.milliseconds(Int64(seconds * 1000) + 1), longestSleep)
    }

    /// `42 s`, `3 min`, `5 h`.
    static func lateness(_ seconds: TimeInterval) -> String {
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        if seconds < 7200 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(Int((seconds / 3600).rounded())) h"
    }
}
