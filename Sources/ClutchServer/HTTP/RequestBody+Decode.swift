import ClutchCore
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The body, up to `limit` bytes (more → 413).
    mutating func collectBodyData(limit: Int = APILimits.maxBodySize) async throws -> Data {
        do {
            let buffer = try await collectBody(upTo: limit)
            return Data(buffer: buffer)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge("request body is larger than \(APILimits.describe(limit))")
        }
    }

    /// The body as one buffer, up to 1 MiB (more → 413). Unlike `collectBody(upTo:)` it does not
    /// store the body back into the request, which callers that read it once do not need.
    func collectBodyBuffer() async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: APILimits.maxBodySize)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge("request body is larger than \(APILimits.describe(APILimits.maxBodySize))")
        }
    }

    /// The body decoded as JSON; malformed JSON → 400 `bad_request`, a field of the wrong type,
    /// missing or unknown → 400 `validation_failed` naming the field.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        let data = try await collectBodyData()
        return try JSONInput.decode(type, from: data)
    }

    /// A request body struct decoded as JSON; unknown top-level fields are refused too.
    mutating func decodeJSON<T: RequestBody>(_ type: T.Type) async throws -> T {
        try await decodeJSON(CheckedBody<T>.self).value
    }
}

/// A request body struct: its `CodingKeys` name every field it accepts, so a misspelled field
/// is refused instead of silently ignored.
protocol RequestBody: Decodable {
    associatedtype CodingKeys: CodingKey
}

/// Decodes a ``RequestBody`` after refusing unknown top-level fields.
struct CheckedBody<T: RequestBody>: Decodable {
    let value: T

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(T.CodingKeys.self)
        value = try T(from: decoder)
    }
}

/// Decoding request bodies with errors that name the field.
enum JSONInput {
    /// Decodes a body, refusing unknown fields of Clutch's model types.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if data.isEmpty { throw APIError.badRequest("request body is empty; expected JSON") }
        do {
            return try ClutchJSON.strictDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw apiError(error)
        }
    }

    /// A body struct decoded, refusing unknown fields at every level.
    static func decode<T: RequestBody>(_ type: T.Type, from data: Data) throws -> T {
        try decode(CheckedBody<T>.self, from: data).value
    }

    /// Maps a decoding error to a 400 naming the field.
    static func apiError(_ error: DecodingError) -> APIError {
        switch error {
        case .dataCorrupted(let context):
            if context.debugDescription.hasPrefix("unknown field") {
                return .validationFailed(context.debugDescription, field: path(context.codingPath))
            }
            if context.codingPath.isEmpty {
                return .badRequest("malformed JSON: \(context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription)")
            }
            return .validationFailed("invalid value: \(context.debugDescription)", field: path(context.codingPath))
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .validationFailed("missing field '\(field)'", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .validationFailed("field '\(field.isEmpty ? "body" : field)' must be \(describe(type))", field: field.isEmpty ? nil : field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .validationFailed("field '\(field)' must be \(describe(type)), not null", field: field)
        @unknown default:
            return .badRequest("malformed JSON")
        }
    }

    /// `environments.production.rules[0].serve` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : (String(describing: type).hasPrefix("Dictionary") ? "an object" : "a \(type)")
        }
    }
}
