import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// The flag page's release card (``ConsoleReleaseCard``): start a guarded release with its
/// policy, pause, resume or abort it — through the store's release functions, exactly as
/// `POST /api/v1/flags/{key}/environments/{env}/release[/pause|/resume|/abort]` and `clutch release`
/// do, after the one policy (start and resume: edit in the environment; pause and abort: respond
/// there, as the API's route table says) and, in a protected environment, the typed confirmation
/// (``ConsoleConfirmation``) for the moves that change the flag (start, resume, abort; pausing
/// changes nothing). A refusal — the policy's validation, the store's (an unknown variant, a
/// rollout that cannot be continued), a review required or a block — comes back on the flag page
/// beside the field at fault, with what was typed kept.
struct ConsoleReleasesController {
    let services: ServerServices
    let pages: ConsolePages

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.post("flags/:key/release/start", use: start)
        group.post("flags/:key/release/pause") { request, context in
            try await move(request, context, .respond, done: "release-paused", confirmed: false, operation: "release_pause") { key, env, change, now in
                try await services.store.pauseRelease(flag: key, environment: env, change: change, now: now)
            }
        }
        group.post("flags/:key/release/resume") { request, context in
            try await move(request, context, .edit, done: "release-resumed", confirmed: true, operation: "release_resume") { key, env, change, now in
                try await services.store.resumeRelease(flag: key, environment: env, change: change, now: now)
            }
        }
        group.post("flags/:key/release/abort") { request, context in
            try await move(request, context, .respond, done: "release-aborted", confirmed: true, operation: "release_abort") { key, env, change, now in
                try await services.store.abortRelease(flag: key, environment: env, to: .before, change: change, now: now)
            }
        }
    }

    /// The start form's fields by the policy's field names (``ReleasePolicy/issues()`` paths).
    static let fields = [
        "variant": "releaseVariant", "bucketBy": "releaseBucketBy", "steps": "releaseSteps", "stepDuration": "releaseStepDuration",
        "minSamples": "releaseMinSamples", "maxErrorRatio": "releaseMaxErrorRatio", "restartFrom": "releaseRestartFrom",
    ]

    /// The role a move needs in the environment (as the API's route table says).
    private enum Needs { case edit, respond }

    @Sendable func start(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let (session, key, env, form) = try await checked(context)
        if let refusal = ConsoleEdit(services: services, pages: pages).forbidden(.edit(environment: env), session, key: key, env: env) {
            return refusal
        }
        let again = { (field: String, message: String) in
            try await ConsoleFlagsController(services: services, pages: pages).page(
                request, session: session, key: key, env: env, pending: nil,
                problem: ConsoleEdit.Refusal(field: field, message: message), input: form)
        }
        let policy: ReleasePolicy
        let restartFrom: Double?
        do {
            (policy, restartFrom) = try Self.policy(form)
        } catch let refusal as ConsoleEdit.Refusal {
            return try await again(refusal.field, refusal.message)
        }
        if let issue = policy.issues().first {
            return try await again(Self.field(issue.path), "\(issue.path): \(issue.message). Nothing was started.")
        }
        if let refusal = ConsoleConfirmation.refusal(form, scope: .environment(env)) {
            return try await again("releaseConfirm", refusal + " Nothing was started.")
        }
        guard let change = ConsoleEdit.changeInfo(session, ["message": form["releaseMessage"] ?? ""]) else {
            return try await again("releaseMessage", "The message may have at most \(ConsoleActionsController.maxMessageLength) characters. Nothing was started.")
        }
        do {
            _ = try await services.write("release_start") {
                try await services.store.startRelease(
                    flag: key, environment: env, policy: policy, restartFrom: restartFrom, change: change, now: services.clock.now())
            }
        } catch {
            guard let refusal = refusal(error) else { throw error }
            return try await again(refusal.field, refusal.message + " Nothing was started.")
        }
        try await services.refreshReleaseSignal()
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=release-started#release")
    }

    /// The policy the form asks for, read as `clutch release start` reads its options (steps as
    /// percentages separated by commas, the step duration as `90s`, `10m`, `2h`).
    static func policy(_ form: [String: String]) throws -> (ReleasePolicy, restartFrom: Double?) {
        func text(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespaces) }
        var steps: [Double] = []
        for part in text("releaseSteps").split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Double(part.trimmingCharacters(in: .whitespaces)) else {
                throw ConsoleEdit.Refusal(field: "releaseSteps", message: "Steps: “\(part)” is not a percentage; for example 1,5,25,50,100.")
            }
            steps.append(value)
        }
        guard let duration = ReleaseDuration.seconds(text("releaseStepDuration")) else {
            throw ConsoleEdit.Refusal(field: "releaseStepDuration", message: "Step duration: “\(text("releaseStepDuration"))” is not a duration; for example 90s, 10m, 2h.")
        }
        guard let minSamples = Int64(text("releaseMinSamples")) else {
            throw ConsoleEdit.Refusal(field: "releaseMinSamples", message: "Evaluations per side: a whole number, for example 500.")
        }
        guard let ratio = Double(text("releaseMaxErrorRatio")) else {
            throw ConsoleEdit.Refusal(field: "releaseMaxErrorRatio", message: "Error ratio: a number, for example 1.5.")
        }
        var restartFrom: Double?
        if !text("releaseRestartFrom").isEmpty {
            guard let value = Double(text("releaseRestartFrom")), value > 0, value < 100 else {
                throw ConsoleEdit.Refusal(field: "releaseRestartFrom", message: "Restart from: a percentage above 0 and below 100, or empty.")
            }
            restartFrom = value
        }
        let policy = ReleasePolicy(
            variant: text("releaseVariant"), bucketBy: text("releaseBucketBy"), steps: steps, stepDuration: duration,
            minSamples: minSamples, maxErrorRatio: ratio)
        return (policy, restartFrom)
    }

    /// The form field a policy path (`steps[2]`, `bucketBy`) belongs to; the card's own note otherwise.
    static func field(_ path: String) -> String {
        fields[String(path.prefix { $0 != "[" })] ?? "release"
    }

    /// A store refusal as the page says it, beside its field: a review required or a block said
    /// as such; `nil` for failures that are not the caller's (answered as errors).
    private func refusal(_ error: any Error) -> ConsoleEdit.Refusal? {
        if let blocked = error as? BlockedError {
            return ConsoleEdit.Refusal(field: "release", message: "Blocked: \(blocked.description).")
        }
        if let store = error as? StoreError, case .reviewRequired = store.kind {
            return ConsoleEdit.Refusal(field: "release", message: "Review required: \(store.message).")
        }
        let apiError = ErrorMapping.apiError(for: error, logger: services.logger)
        guard (400..<500).contains(apiError.status.code), apiError.status.code != 404 else { return nil }
        return ConsoleEdit.Refusal(field: apiError.field.map(Self.field) ?? "release", message: apiError.message + ".")
    }

    private func checked(_ context: ClutchRequestContext) async throws -> (ConsoleSession, String, String, [String: String]) {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let form = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        guard let env = form["env"], environments.contains(env) else {
            throw APIError.badRequest("choose an environment that exists", field: "env")
        }
        return (session, key, env, form)
    }

    /// Pause, resume or abort, after the policy (`needs` in the environment) and, for the moves
    /// that change the flag in a protected environment, the typed confirmation.
    private func move(
        _ request: Request, _ context: ClutchRequestContext, _ needs: Needs, done: String, confirmed: Bool, operation: String,
        _ body: @Sendable (String, String, ChangeInfo, Date) async throws -> Change<Release>
    ) async throws -> Response {
        let (session, key, env, form) = try await checked(context)
        let edit = ConsoleEdit(services: services, pages: pages)
        if let refusal = edit.forbidden(needs == .edit ? .edit(environment: env) : .respond(environment: env), session, key: key, env: env) {
            return refusal
        }
        let again = { (field: String, message: String) in
            try await ConsoleFlagsController(services: services, pages: pages).page(
                request, session: session, key: key, env: env, pending: nil,
                problem: ConsoleEdit.Refusal(field: field, message: message), input: [:])
        }
        if confirmed, let refusal = ConsoleConfirmation.refusal(form, scope: .environment(env)) {
            return try await again("releaseMove", refusal + " Nothing was changed.")
        }
        guard let change = ConsoleEdit.changeInfo(session, form) else {
            return try await again("releaseMove", "The message may have at most \(ConsoleActionsController.maxMessageLength) characters. Nothing was changed.")
        }
        do {
            _ = try await services.write(operation) { try await body(key, env, change, services.clock.now()) }
        } catch {
            guard let refusal = refusal(error) else { throw error }
            return try await again("releaseMove", refusal.message + " Nothing was changed.")
        }
        try await services.refreshReleaseSignal()
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=\(done)#release")
    }
}
