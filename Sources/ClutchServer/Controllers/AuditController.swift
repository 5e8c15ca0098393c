import ClutchAPI
import ClutchCore
import ClutchInterop
import ClutchStore
import Foundation
import Hummingbird
import Yams

/// `/api/v1/audit`, `/api/v1/status`, `/api/v1/export` and `/api/v1/import`.
struct AuditController {
    let services: ServerServices

    /// The server's version, reported by `/api/v1/status`.
    static let version = "0.1.0"

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("audit", use: audit)
        routes.get("status", use: status)
        routes.get("export", use: export)
        routes.post("import", use: importDocument)
        return routes
    }

    @Sendable func audit(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let since = try request.query("since").map { try Self.parseSince($0, now: services.clock.now()) }
        let limit = try request.intQuery("limit", in: 1...10_000) ?? 100
        let events = try await services.store.auditEvents(since: since, flag: request.query("flag"), limit: Int(limit))
        return JSONResponse.encode(AuditEventList(events: events))
    }

    /// An RFC 3339 time, or a duration back from `now` such as `90s`, `30m`, `1h` or `7d`.
    static func parseSince(_ text: String, now: Date) throws -> Date {
        if let unit = text.last, let amount = Double(text.dropLast()), amount >= 0, amount.isFinite {
            let scale: Double? = switch unit {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86_400
            case "w": 604_800
            default: nil
            }
            if let scale { return now.addingTimeInterval(-amount * scale) }
        }
        if text.contains("-"), let seconds = Timestamp.seconds(text) {
            return Date(timeIntervalSince1970: seconds)
        }
        throw APIError.badRequest("since must be an RFC 3339 time or a duration such as 30m, 1h or 7d", field: "since")
    }

    @Sendable func status(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let registry = services.registry
        let environments = registry.environmentKeys.compactMap { key -> EnvironmentStatus? in
            guard let live = registry.live(key) else { return nil }
            return EnvironmentStatus(
                key: key, snapshotVersion: live.version, streams: registry.streamCount(key), flags: live.snapshot.flags.count)
        }
        return JSONResponse.encode(ServerStatus(version: Self.version, environments: environments))
    }

    @Sendable func export(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let environment = request.query("environment")
        let format = request.query("format") ?? "json"
        let document = try await services.store.export(environment: environment)
        switch format {
        case "json":
            let data = try ClutchJSON.encode(document, pretty: true)
            return JSONResponse.bytes(data)
        case "yaml", "yml":
            let text = try YAMLEncoder().encode(document)
            var buffer = ByteBuffer()
            buffer.writeString(text)
            return JSONResponse.buffer(buffer, contentType: "application/yaml")
        default:
            throw APIError.badRequest("format must be json or yaml", field: "format")
        }
    }

    @Sendable func importDocument(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let dryRun = try request.boolQuery("dryRun")
        let format = try Self.importFormat(request.query("format"))
        let environment = request.query("environment")
        let data = try await request.collectBodyData(limit: services.configuration.limits.maxImportBytes)
        let conversion = try Self.convert(data, format: format, environment: environment, contentType: request.headers[.contentType])
        // All or nothing: a construct that cannot be mapped refuses the import; a dry run lists them all.
        if !dryRun, !conversion.unmapped.isEmpty {
            throw Self.unmappedError(conversion.unmapped, format: format)
        }
        let before = await importedFlagsBefore(conversion.document)
        let (written, _) = try await services.write(dryRun ? "import_dry_run" : "import") {
            try await services.store.importDocument(conversion.document, dryRun: dryRun, change: change)
        }
        let applied = !dryRun
        return JSONResponse.encode(ImportAnswer(
            dryRun: dryRun, changes: written.value.changes, applied: applied, unmapped: conversion.unmapped, notes: conversion.notes,
            warnings: await importWarnings(conversion.document, before: before)))
    }

    /// The stored flags an import names (read once, and only when one of them uses an attribute).
    private func importedFlagsBefore(_ document: ClutchDocument) async -> [String: Flag] {
        guard document.flags.contains(where: { $0.environments.values.contains { !$0.attributesUsed.isEmpty } }) else { return [:] }
        let named = Set(document.flags.map(\.key))
        let stored = (try? await services.store.flags(includeArchived: true)) ?? []
        return Dictionary(stored.filter { named.contains($0.flag.key) }.map { ($0.flag.key, $0.flag) }, uniquingKeysWith: { first, _ in first })
    }

    /// ``AttributeWarnings`` for every flag of an import against what was stored, once per
    /// attribute and environment. An environment a flag of the document leaves out keeps its state.
    private func importWarnings(_ document: ClutchDocument, before: [String: Flag]) async -> [AttributeWarning] {
        var used: [String: [String]] = [:]
        for flag in document.flags {
            for (environment, names) in AttributeWarnings.names(before: before[flag.key], after: flag, environments: Array(flag.environments.keys)) {
                used[environment, default: []] += names.filter { !(used[environment] ?? []).contains($0) }
            }
        }
        return await services.attributeWarnings(used.keys.sorted().map { ($0, used[$0] ?? []) })
    }

    /// `format=`: Clutch's own document unless a foreign format is named.
    static func importFormat(_ text: String?) throws -> ImportFormat {
        guard let text else { return .clutch }
        guard let format = ImportFormat(rawValue: text.lowercased()) else {
            let names = ImportFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("format must be one of \(names)", field: "format")
        }
        return format
    }

    /// The body as Clutch's import document: read as written for `clutch`, converted otherwise
    /// (``ForeignFormat``); a foreign document that cannot be read is refused naming where.
    static func convert(_ data: Data, format: ImportFormat, environment: String?, contentType: String?) throws -> Conversion {
        guard let converter = format.converter else {
            return Conversion(document: try decodeDocument(data, contentType: contentType))
        }
        do {
            return try converter.convert(data, environment: environment)
        } catch {
            throw APIError.badRequest("cannot read the \(format.rawValue) document: \(error.description)", field: error.path.isEmpty ? nil : error.path)
        }
    }

    /// One 400 naming every construct that cannot be mapped, the first as its field.
    static func unmappedError(_ unmapped: [ConversionIssue], format: ImportFormat) -> APIError {
        let list = unmapped.map(\.description).joined(separator: "; ")
        return APIError.validationFailed(
            "nothing imported: \(unmapped.count) construct(s) of the \(format.rawValue) document cannot be mapped: \(list)",
            field: unmapped.first?.path)
    }

    /// A document as JSON, or as YAML when the content type says so.
    static func decodeDocument(_ data: Data, contentType: String?) throws -> ClutchDocument {
        let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard type.hasSuffix("yaml") || type.hasSuffix("yml") else {
            return try JSONInput.decode(ClutchDocument.self, from: data)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw APIError.badRequest("YAML body is not UTF-8")
        }
        do {
            return try YAMLDecoder().decode(ClutchDocument.self, from: text, userInfo: [.refuseUnknownKeys: true])
        } catch {
            if let position = YAMLPosition.syntaxError(error), let problem = YAMLPosition.syntaxProblem(error) {
                throw APIError.badRequest("malformed YAML at \(position): \(problem)")
            }
            guard let error = error as? DecodingError else { throw APIError.badRequest("malformed YAML: \(error)") }
            // The path, and where it is in the text.
            let refusal = JSONInput.apiError(error)
            guard let position = YAMLPosition.decodingError(error, in: text) else { throw refusal }
            throw refusal.appending(" (\(position))")
        }
    }
}
