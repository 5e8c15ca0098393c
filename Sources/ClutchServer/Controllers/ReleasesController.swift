import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/flags/{key}/environments/{env}/release`: guarded releases (start, status, pause,
/// resume, abort). The release runner (``ReleaseRunner``) moves running releases on.
struct ReleasesController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("flags/:key/environments/:env/release", use: start)
        routes.get("flags/:key/environments/:env/release", use: get)
        routes.post("flags/:key/environments/:env/release/pause") { request, context in
            try await move(request, context, "release_pause") { key, env, change in
                try await services.store.pauseRelease(flag: key, environment: env, change: change, now: services.clock.now())
            }
        }
        routes.post("flags/:key/environments/:env/release/resume") { request, context in
            try await move(request, context, "release_resume") { key, env, change in
                try await services.store.resumeRelease(flag: key, environment: env, change: change, now: services.clock.now())
            }
        }
        routes.post("flags/:key/environments/:env/release/abort", use: abort)
        return routes
    }

    private struct StartBody: RequestBody {
        let variant: String?
        let bucketBy: String?
        let steps: [Double]?
        let stepDuration: Double?
        let minSamples: Int64?
        let maxErrorRatio: Double?
        /// Start from this percentage instead of the exposure the flag already gives the variant.
        let restartFrom: Double?
        let message: String?
        enum CodingKeys: String, CodingKey { case variant, bucketBy, steps, stepDuration, minSamples, maxErrorRatio, restartFrom, message }
    }

    private struct AbortBody: RequestBody {
        /// `0`: the variant to 0 % instead of back to the state before the release.
        let to: Double?
        let message: String?
        enum CodingKeys: String, CodingKey { case to, message }
    }

    private struct MessageBody: RequestBody {
        let message: String?
        enum CodingKeys: String, CodingKey { case message }
    }

    @Sendable func start(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let environment = try context.parameter("env")
        var change = try request.changeInfo(context)
        let body = try await request.decodeJSON(StartBody.self)
        if let message = body.message, !message.isEmpty { change.message = message }
        let policy = ReleasePolicy(
            variant: body.variant ?? "on", bucketBy: body.bucketBy ?? "targetingKey", steps: body.steps ?? ReleasePolicy.defaultSteps,
            stepDuration: body.stepDuration ?? ReleasePolicy.defaultStepDuration,
            minSamples: body.minSamples ?? ReleasePolicy.defaultMinSamples, maxErrorRatio: body.maxErrorRatio ?? ReleasePolicy.defaultMaxErrorRatio)
        let (written, _) = try await services.write("release_start") {
            try await services.store.startRelease(
                flag: key, environment: environment, policy: policy, restartFrom: body.restartFrom, change: change, now: services.clock.now())
        }
        try await services.refreshReleaseSignal()
        return JSONResponse.encode(ReleaseView(written.value, now: services.clock.now()), status: .created)
    }

    @Sendable func get(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let release = try await services.store.release(flag: try context.parameter("key"), environment: try context.parameter("env"))
        return JSONResponse.encode(ReleaseView(release, now: services.clock.now()))
    }

    /// Aborts the release: back to the state before it, or (`to: 0`) the variant to 0 %.
    @Sendable func abort(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let environment = try context.parameter("env")
        var change = try request.changeInfo(context)
        let data = try await request.collectBodyData()
        let body = data.isEmpty ? nil : try JSONInput.decode(AbortBody.self, from: data)
        if let message = body?.message, !message.isEmpty { change.message = message }
        var target = ReleaseAbortTarget.before
        if let to = body?.to {
            guard to == 0 else {
                throw APIError.badRequest("to: only 0 is accepted (without it, abort returns to the state before the release)", field: "to")
            }
            target = .zero
        }
        let (written, _) = try await services.write("release_abort") {
            try await services.store.abortRelease(flag: key, environment: environment, to: target, change: change, now: services.clock.now())
        }
        try await services.refreshReleaseSignal()
        return JSONResponse.encode(ReleaseView(written.value, now: services.clock.now()))
    }

    private func move(
        _ request: Request, _ context: ClutchRequestContext, _ operation: String,
        _ body: @Sendable (String, String, ChangeInfo) async throws -> Change<Release>
    ) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let environment = try context.parameter("env")
        var change = try request.changeInfo(context)
        let data = try await request.collectBodyData()
        if !data.isEmpty, let message = try JSONInput.decode(MessageBody.self, from: data).message, !message.isEmpty {
            change.message = message
        }
        let (written, _) = try await services.write(operation) { try await body(key, environment, change) }
        try await services.refreshReleaseSignal()
        return JSONResponse.encode(ReleaseView(written.value, now: services.clock.now()))
    }
}

/// A release as the API shows it: the policy, where it is, the figures per side and its history.
struct ReleaseView: Encodable {
    struct Side: Encodable {
        let evaluations: Int64
        let errors: Int64
        let errorRate: Double
        init(_ counts: SideCounts) {
            evaluations = counts.evaluations
            errors = counts.errors
            errorRate = counts.rate
        }
    }

    struct Figures: Encodable {
        let new: Side
        let other: Side
        init(_ sample: GuardSample) {
            new = Side(sample.new)
            other = Side(sample.other)
        }
    }

    /// One reporter's data (``ReporterProgress``): what it reported, its own evidence and whether it counts.
    struct Reporter: Encodable {
        let reporter: String
        let status: String
        let reason: String?
        let new: Side
        let other: Side
        /// The log of its own mixture e-value: its share of the evidence (positive: toward worse).
        let logEValue: Double

        init(_ id: String, _ progress: ReporterProgress) {
            reporter = id
            status = progress.status.rawValue
            reason = progress.reason
            new = Side(progress.total.new)
            other = Side(progress.total.other)
            logEValue = ReleaseGuard.logEValue(progress.evidence)
        }

        enum CodingKeys: String, CodingKey { case reporter, status, reason, new, other, logEValue }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reporter, forKey: .reporter)
            try c.encode(status, forKey: .status)
            try c.encodeIfPresent(reason, forKey: .reason)
            try c.encode(new, forKey: .new)
            try c.encode(other, forKey: .other)
            try c.encode(logEValue.isFinite ? logEValue : (logEValue > 0 ? 1e300 : -1e300), forKey: .logEValue)
        }
    }

    let flag: String
    let environment: String
    let state: String
    let variant: String
    let bucketBy: String
    let steps: [Double]
    let stepDuration: Double
    let minSamples: Int64
    let maxErrorRatio: Double
    let step: Int
    let percent: Double
    let stepStartedAt: Date
    let secondsInStep: Double
    let verdict: String
    let eValue: Double
    let rollbackThreshold: Double
    let total: Figures
    let currentStep: Figures
    let reason: String?
    let message: String?
    let startedBy: String
    let startedAt: Date
    let updatedAt: Date
    /// What the flag served before the release (absent for releases of versions that did not record it).
    let replaced: ReleaseBaseline?
    let transitions: [ReleaseTransition]
    /// Every reporter, most evaluations first.
    let reporters: [Reporter]

    init(_ release: Release, now: Date) {
        flag = release.flag
        environment = release.environment
        state = release.state.rawValue
        variant = release.policy.variant
        bucketBy = release.policy.bucketBy
        steps = release.policy.steps
        stepDuration = release.policy.stepDuration
        minSamples = release.policy.minSamples
        maxErrorRatio = release.policy.maxErrorRatio
        step = release.progress.stepIndex + 1
        percent = release.percent
        stepStartedAt = release.progress.stepStartedAt
        secondsInStep = max(0, (release.state.isActive ? now : release.updatedAt).timeIntervalSince(release.progress.stepStartedAt))
        verdict = release.progress.verdict.rawValue
        eValue = min(exp(min(ReleaseGuard.logEValue(release.progress.evidence), 700)), 1e300)
        rollbackThreshold = 1 / ReleaseGuard.alpha
        total = Figures(release.progress.total)
        currentStep = Figures(release.progress.step)
        reason = release.reason
        message = release.message
        startedBy = release.startedBy
        startedAt = release.startedAt
        updatedAt = release.updatedAt
        replaced = release.replaced
        transitions = release.transitions
        reporters = release.progress.reporters
            .sorted { ($0.value.volume, $1.key) > ($1.value.volume, $0.key) }
            .map { Reporter($0.key, $0.value) }
    }
}
