import ClutchCore
import ClutchStore
import Foundation
import Testing

/// Protected environments and change requests in the store, on each database: a direct widening
/// change is refused, a request applies once approved by someone else, and an apply whose diff
/// is no longer the one approved changes nothing and needs review again.
@Suite("Change requests in the store")
struct ChangeRequestStoreTests {
    static let alice = ChangeInfo(actor: "alice@example.com")
    static let bob = ChangeInfo(actor: "bob@example.com")

    /// Production needs 1 approval, not the author's own.
    static func protectProduction(_ store: any ClutchStoring) async throws {
        _ = try await store.setProtection(
            environment: "production", EnvironmentProtection(requiredApprovals: 1, allowSelfApproval: false), change: admin)
    }

    static func protectedLaunch(_ store: any ClutchStoring) async throws {
        _ = try await store.createFlag(Flag(key: "launch"), change: admin)
        try await protectProduction(store)
    }

    @Test(arguments: StoreBackend.allCases) func aWideningChangeInProductionWaitsForAnotherPersonsApprovalWhileTurningOffNeverWaits(
        _ backend: StoreBackend
    ) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await Self.protectedLaunch(store)
        #expect(try await store.environments().first { $0.key == "production" }?.protection?.requiredApprovals == 1)
        do {
            _ = try await store.setEnabled(flag: "launch", environment: "production", enabled: true, ifRevision: nil, change: Self.alice)
            Issue.record("a direct widening change in a protected environment was applied")
        } catch let error as StoreError {
            #expect(error.kind == .reviewRequired)
            #expect(error.message.hasPrefix("production is protected"))
        }
        #expect(try await store.flag("launch").revision == 1, "nothing was written")
        // Unprotected staging changes at once.
        _ = try await store.setEnabled(flag: "launch", environment: "staging", enabled: true, ifRevision: nil, change: Self.alice)

        let request = try await store.openChangeRequest(
            ChangeRequestCreate(flag: "launch", environment: "production", instructions: [.turnOn], message: "launch day"),
            identity: "person:alice", change: Self.alice)
        #expect(request.status == .open)
        #expect(request.baseRevision == 2)
        #expect(request.diff.map(\.path) == ["environments.production.enabled"])
        await #expect(throws: StoreError.self, "the author's own approval") {
            try await store.reviewChangeRequest(request.id, verdict: .approve, comment: nil, identity: "person:alice", change: Self.alice)
        }
        await #expect(throws: StoreError.self, "not approved yet") { try await store.applyChangeRequest(request.id, change: Self.alice) }
        let approved = try await store.reviewChangeRequest(request.id, verdict: .approve, comment: "ok", identity: "person:bob", change: Self.bob)
        #expect(approved.status == .approved)
        #expect(approved.approvals == 1)
        let applied = try await store.applyChangeRequest(request.id, change: Self.alice)
        #expect(applied.value.status == .applied)
        #expect(applied.versions["production"] != nil, "production's snapshot changed")
        let flag = try await store.flag("launch")
        #expect(flag.flag.state(in: "production").enabled)
        #expect(applied.value.appliedRevision == flag.revision)

        // The kill switch never waits.
        _ = try await store.kill(flag: "launch", environments: ["production"], change: Self.bob)
        #expect(try await store.flag("launch").flag.state(in: "production").enabled == false)
        let actions = try await store.auditEvents(since: nil, flag: "launch", limit: 100).map(\.action)
        #expect(actions.contains("change_request.open"))
        #expect(actions.contains("change_request.approve"))
        #expect(actions.contains("change_request.apply"))
    }

    @Test(arguments: StoreBackend.allCases) func anEditWithdrawsApprovalsAndAnApplyWhoseDiffChangedIsRefusedForReviewAgain(
        _ backend: StoreBackend
    ) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await Self.protectedLaunch(store)
        let create = ChangeRequestCreate(flag: "launch", environment: "production", instructions: [.turnOn])
        let first = try await store.openChangeRequest(create, identity: "person:alice", change: Self.alice)
        let second = try await store.openChangeRequest(create, identity: "person:alice", change: Self.alice)
        _ = try await store.reviewChangeRequest(first.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)
        _ = try await store.reviewChangeRequest(second.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)

        // An edit withdraws the approval.
        let edited = try await store.editChangeRequest(second.id, ChangeRequestEdit(instructions: [.turnOn]), change: Self.alice)
        #expect(edited.status == .open)
        #expect(edited.approvals == 0)
        #expect(edited.reviews.allSatisfy { $0.withdrawn })
        _ = try await store.reviewChangeRequest(second.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)

        // The first applies; the second would now change nothing of what was approved.
        _ = try await store.applyChangeRequest(first.id, change: Self.alice)
        let revision = try await store.flag("launch").revision
        do {
            _ = try await store.applyChangeRequest(second.id, change: Self.alice)
            Issue.record("an apply whose diff changed was applied")
        } catch let error as StoreError {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("environments.production.enabled"), "names the difference: \(error.message)")
        }
        #expect(try await store.flag("launch").revision == revision, "nothing was written")
        let reopened = try await store.changeRequest(second.id)
        #expect(reopened.status == .open)
        #expect(reopened.approvals == 0)
        #expect(reopened.reason != nil)

        // A decline blocks the apply until its reviewer approves.
        let third = try await store.openChangeRequest(
            ChangeRequestCreate(flag: "launch", environment: "production", instructions: [.turnOff]), identity: "person:alice", change: Self.alice)
        let declined = try await store.reviewChangeRequest(third.id, verdict: .decline, comment: "no", identity: "person:bob", change: Self.bob)
        #expect(declined.status == .declined)
        let carol = try await store.reviewChangeRequest(third.id, verdict: .approve, comment: nil, identity: "person:carol", change: Self.bob)
        #expect(carol.status == .declined, "one standing decline blocks")
        let lifted = try await store.reviewChangeRequest(third.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)
        #expect(lifted.status == .approved)
        #expect(lifted.approvals == 2, "each reviewer counts once")
        #expect(try await store.changeRequests(status: .open, flag: "launch").map(\.id) == [second.id])
    }

    /// Protected production where flag `new-checkout`, on, serves `on` to cohort `beta` (acme):
    /// a change to beta's members changes what production serves.
    static func protectedBeta(_ store: any ClutchStoring) async throws {
        _ = try await store.createCohort(Cohort(key: "beta", members: ["acme"]), environment: "production", change: admin)
        _ = try await store.createCohort(Cohort(key: "unused", members: ["acme"]), environment: "production", change: admin)
        var flag = checkoutFlag()
        flag.environments["production"]?.rules = [Rule(clauses: [.inCohort("beta")], serve: .variant("on"))]
        _ = try await store.createFlag(flag, change: admin)
        try await protectProduction(store)
    }

    @Test(arguments: StoreBackend.allCases) func aMemberChangeToACohortThatAFlagOnInProtectedProductionNamesWaitsForReviewAsAFlagsWould(
        _ backend: StoreBackend
    ) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await Self.protectedBeta(store)
        // Directly: refused naming the cohort and its flag, nothing written — both ways of changing members, and a definition's update.
        let direct = await #expect(throws: StoreError.self) {
            _ = try await store.applyMembers([.addMembers(["globex"])], cohort: "beta", environment: "production", change: Self.alice)
        }
        #expect(direct?.kind == .reviewRequired)
        #expect(direct?.message.contains("a change to the members of cohort 'beta' (used by 'new-checkout')") == true, "\(String(describing: direct))")
        await #expect(throws: StoreError.self) {
            _ = try await store.updateMembers(cohort: "beta", environment: "production", add: [], remove: ["acme"], change: Self.alice)
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.updateCohort(
                Cohort(key: "beta", members: ["acme", "globex"]), environment: "production", ifRevision: nil, change: Self.alice)
        }
        #expect(try await store.cohort("beta", environment: "production").cohort.members == ["acme"])
        // A cohort no flag names serves nobody anything: it changes at once.
        _ = try await store.applyMembers([.addMembers(["globex"])], cohort: "unused", environment: "production", change: Self.alice)

        // As a request: pinned to the members it adds, approved by someone else, applied.
        let request = try await store.openChangeRequest(
            ChangeRequestCreate(cohort: "beta", environment: "production", memberInstructions: [.addMembers(["acme", "globex", "initech"])]),
            identity: "person:alice", change: Self.alice)
        #expect(request.cohort == "beta")
        #expect(request.flag.isEmpty)
        #expect(request.diff == [FieldChange(path: "members.added", before: nil, after: .array([.string("globex"), .string("initech")]))])
        await #expect(throws: StoreError.self, "the author's own approval") {
            try await store.reviewChangeRequest(request.id, verdict: .approve, comment: nil, identity: "person:alice", change: Self.alice)
        }
        _ = try await store.reviewChangeRequest(request.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)
        let applied = try await store.applyChangeRequest(request.id, change: Self.alice)
        #expect(applied.value.status == .applied)
        #expect(applied.versions["production"] != nil, "production's snapshot changed")
        let beta = try await store.cohort("beta", environment: "production")
        #expect(beta.cohort.members == ["acme", "globex", "initech"])
        #expect(applied.value.appliedRevision == beta.revision)
        let actions = try await store.auditEvents(since: nil, flag: nil, limit: 100).filter { $0.entity == "cohort" && $0.key == "beta" }.map(\.action)
        #expect(actions.contains("change_request.open") && actions.contains("change_request.apply"), "\(actions)")

        // Edited after approval: the approval is withdrawn; a change between approval and apply that alters the diff refuses the apply.
        let second = try await store.openChangeRequest(
            ChangeRequestCreate(cohort: "beta", environment: "production", memberInstructions: [.removeMembers(["initech"])]),
            identity: "person:alice", change: Self.alice)
        _ = try await store.reviewChangeRequest(second.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)
        let edited = try await store.editChangeRequest(
            second.id, ChangeRequestEdit(memberInstructions: [.removeMembers(["initech", "globex"])]), change: Self.alice)
        #expect(edited.status == .open)
        #expect(edited.diff.map(\.path) == ["members.removed"])
        _ = try await store.reviewChangeRequest(second.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)
        let third = try await store.openChangeRequest(
            ChangeRequestCreate(cohort: "beta", environment: "production", memberInstructions: [.removeMembers(["globex"])]),
            identity: "person:carol", change: Self.bob)
        _ = try await store.reviewChangeRequest(third.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)
        _ = try await store.applyChangeRequest(third.id, change: Self.bob)
        let stale = await #expect(throws: StoreError.self) { try await store.applyChangeRequest(second.id, change: Self.alice) }
        #expect(stale?.kind == .conflict)
        #expect(stale?.message.contains("the cohort changed since change request \(second.id) was approved") == true, "\(String(describing: stale))")
        #expect(try await store.cohort("beta", environment: "production").cohort.members == ["acme", "initech"], "nothing of it applied")
        #expect(try await store.changeRequest(second.id).status == .open)

        // A block on the flag stops even a reviewed member change; lifting it lets the apply through.
        let fourth = try await store.openChangeRequest(
            ChangeRequestCreate(cohort: "beta", environment: "production", memberInstructions: [.addMembers(["umbrella"])]),
            identity: "person:alice", change: Self.alice)
        _ = try await store.reviewChangeRequest(fourth.id, verdict: .approve, comment: nil, identity: "person:bob", change: Self.bob)
        let block = try await store.createBlock(
            environment: "production", flag: "new-checkout", reason: "incident", until: nil, by: BlockStoreTests.viewer, change: admin)
        let blocked = await #expect(throws: BlockedError.self) { try await store.applyChangeRequest(fourth.id, change: Self.alice) }
        #expect(blocked?.description == "new-checkout in production is blocked by vera@example.com: incident")
        _ = try await store.deleteBlock(block.id, by: BlockStoreTests.viewer, change: admin)
        #expect(try await store.applyChangeRequest(fourth.id, change: Self.alice).value.status == .applied)

        // Turned off, the flag serves beta nothing: its members change at once.
        _ = try await store.kill(flag: "new-checkout", environments: ["production"], change: Self.bob)
        _ = try await store.applyMembers([.removeMembers(["umbrella"])], cohort: "beta", environment: "production", change: Self.alice)

        // A request is a flag's or a cohort's.
        var both = ChangeRequestCreate(flag: "new-checkout", environment: "production", instructions: [.turnOn])
        both.cohort = "beta"
        both.memberInstructions = [.addMembers(["x"])]
        let mixed = await #expect(throws: StoreError.self) { try await store.openChangeRequest(both, identity: "person:alice", change: Self.alice) }
        #expect(mixed?.field == "cohort")
    }
}
