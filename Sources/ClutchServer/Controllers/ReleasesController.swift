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

    private struct MessageBody: RequestBody {
        let message: String?
        enum CodingKeys: String, CodingKey { case message }
    }

    @Sendable func start(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let environment = try context.parameter("env")
        var change = try request.changeInfo(context)
        let body = try await request.decodeJSON(ReleaseStartRequest.self)
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
        var view = ReleaseView(written.value, now: services.clock.now())
        let warnings = await services.attributeWarnings([(environment: environment, attributes: [policy.bucketBy])])
        view.warnings = warnings.isEmpty ? nil : warnings
        return JSONResponse.encode(view, status: .created)
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
        let body = data.isEmpty ? nil : try JSONInput.decode(ReleaseAbortRequest.self, from: data)
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

extension ReleaseView {
    /// `release` as the API shows it at `now`.
    init(_ release: Release, now: Date) {
        self.init(
            flag: release.flag, environment: release.environment, state: release.state, policy: release.policy,
            progress: release.progress, percent: release.percent, reason: release.reason, message: release.message,
            startedBy: release.startedBy, startedAt: release.startedAt, updatedAt: release.updatedAt,
            replaced: release.replaced, transitions: release.transitions, samples: release.samples, now: now)
    }
}
