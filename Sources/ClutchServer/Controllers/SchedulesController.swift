import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/schedules`: changes to apply later. A schedule is a flag's (or cohort's) change
/// as instructions, the same as `POST …/changes` takes, plus the time it is due.
struct SchedulesController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("schedules", use: create)
        routes.get("schedules", use: list)
        routes.get("schedules/:scheduleId", use: get)
        routes.delete("schedules/:scheduleId", use: cancel)
        return routes
    }

    /// `{"flag"|"cohort": key, "environment", "instructions", "at", "message"?}`.
    /// The instructions decoded as the kind says, so a bad one is refused naming its field.
    private struct FlagInstructions: Decodable { let instructions: [Instruction] }
    private struct MemberInstructions: Decodable { let instructions: [MemberInstruction] }

    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        var change = try request.changeInfo(context)
        let data = try await request.collectBodyData()
        let body = try JSONInput.decode(ScheduleCreate.self, from: data)
        try context.authorize(.edit(environment: body.environment))
        let kind: ScheduleRecord.Kind
        let key: String
        var flagInstructions: [Instruction] = []
        switch (body.flag, body.cohort) {
        case (let flag?, nil):
            kind = .flag
            key = flag
            flagInstructions = try JSONInput.decode(FlagInstructions.self, from: data).instructions
        case (nil, let cohort?):
            kind = .cohort
            key = cohort
            _ = try JSONInput.decode(MemberInstructions.self, from: data)
        default:
            throw APIError.validationFailed("name either the flag or the cohort to change", field: "flag")
        }
        guard let at = Timestamp.parse(body.at) else {
            throw APIError.validationFailed("must be an RFC 3339 date-time such as 2026-12-01T09:00:00Z, got '\(body.at)'", field: "at")
        }
        if let message = body.message, !message.isEmpty { change.message = message }
        var record = try await services.metrics.timeWrite("create_schedule") {
            try await services.store.createSchedule(
                ScheduleRequest(
                    kind: kind, key: key, environment: body.environment, instructions: body.instructions, message: change.message,
                    at: at),
                change: change, now: services.clock.now())
        }
        if kind == .flag {
            record.warnings = await services.attributeWarnings(applying: flagInstructions, flag: key, environment: body.environment)
        }
        return JSONResponse.encode(record, status: .created)
    }

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let status = try request.enumQuery("status", as: ScheduleRecord.Status.self)
        let schedules = try await services.store.schedules(status: status, key: request.query("key"))
        return JSONResponse.encode(ScheduleList(schedules: schedules))
    }

    @Sendable func get(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(try await services.store.schedule(try context.parameter("scheduleId")))
    }

    @Sendable func cancel(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let change = try request.changeInfo(context)
        let id = try context.parameter("scheduleId")
        try context.authorize(.edit(environment: try await services.store.schedule(id).environment))
        let record = try await services.metrics.timeWrite("cancel_schedule") {
            try await services.store.cancelSchedule(try context.parameter("scheduleId"), change: change, now: services.clock.now())
        }
        return JSONResponse.encode(record)
    }
}
