import ClutchStore
import Foundation
import Hummingbird

extension Request {
    /// Who made the change and why: the caller's actor (``Principal/actor``) and the `X-Clutch-Message` header
    /// (percent-encoded UTF-8 is decoded).
    func changeInfo(_ context: ClutchRequestContext) throws -> ChangeInfo {
        let actor = try context.actor()
        let author = context.principal?.author
        guard let raw = headers[HeaderNames.message], !raw.isEmpty else { return ChangeInfo(actor: actor, author: author) }
        let message = raw.removingPercentEncoding ?? raw
        return ChangeInfo(actor: actor, message: message, author: author)
    }

    /// The revision named by `If-Match` (`"7"`, `7` or `W/"7"`); `nil` when absent or `*`.
    func ifMatchRevision() throws -> Int64? {
        guard var raw = headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty, raw != "*" else {
            return nil
        }
        if raw.hasPrefix("W/") { raw.removeFirst(2) }
        if raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") { raw = String(raw.dropFirst().dropLast()) }
        guard let revision = Int64(raw), revision >= 0 else {
            throw APIError.badRequest("If-Match must be a revision number such as \"7\"", field: "If-Match")
        }
        return revision
    }

    /// A query parameter.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }

    /// A boolean query parameter (`true`/`false`/`1`/`0`).
    func boolQuery(_ name: String) throws -> Bool {
        guard let raw = query(name) else { return false }
        switch raw.lowercased() {
        case "true", "1", "yes", "": return true
        case "false", "0", "no": return false
        default: throw APIError.badRequest("query parameter '\(name)' must be true or false", field: name)
        }
    }

    /// A query parameter naming one of `T`'s cases (`?status=open`); `nil` when absent.
    func enumQuery<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = query(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let known = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.validationFailed("\(name) must be one of \(known), got '\(text)'", field: name)
        }
        return value
    }

    /// An integer query parameter within `range`.
    func intQuery(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let raw = query(name) else { return nil }
        guard let value = Int64(raw), range.contains(value) else {
            throw APIError.badRequest("query parameter '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return value
    }
}

extension ClutchRequestContext {
    /// A path parameter the route guarantees.
    func parameter(_ name: String) throws -> String {
        guard let value = parameters.get(name) else { throw APIError.badRequest("missing path parameter '\(name)'") }
        return value
    }
}

extension HTTPFields {
    /// Headers with `ETag: "<revision>"`.
    static func etag(revision: Int64) -> HTTPFields {
        [.eTag: "\"\(revision)\""]
    }
}
