import ClutchCore
import Foundation
import Hummingbird

/// Builds JSON responses with Clutch's sorted-key encoder.
enum JSONResponse {
    /// `value` encoded with sorted keys. Encoding our own records cannot fail; if it ever does the
    /// client gets a 500 in the usual error shape rather than a broken body.
    static func encode<T: Encodable>(
        _ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) -> Response {
        guard let data = try? ClutchJSON.encode(value) else {
            return raw(#"{"error":{"code":"internal","message":"response could not be encoded"}}"#, status: .internalServerError)
        }
        return bytes(data, status: status, headers: headers)
    }

    /// JSON text written by hand (for exact number forms).
    static func raw(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var out = ByteBuffer()
        out.writeString(text)
        return buffer(out, status: status, headers: headers)
    }

    private static let jsonContentType: HTTPFields = [.contentType: "application/json"]

    static func bytes(_ data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        buffer(ByteBuffer(bytes: data), status: status, headers: headers)
    }

    static func buffer(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], contentType: String = "application/json") -> Response {
        if headers.isEmpty, contentType == "application/json" {
            // The common case shares one prepared field list instead of building it per answer.
            return Response(status: status, headers: jsonContentType, body: .init(byteBuffer: buffer))
        }
        var headers = headers
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }
}
