import ClutchCore
import Foundation

/// What an exchange with the server does that `docs/openapi.json` does not allow: the rule
/// ``ContractCheckMiddleware`` applies to every request while tests run, kept apart from HTTP
/// plumbing so that it is tested on its own.
public struct ContractCheck: Sendable {
    public let contract: SchemaValidator

    public init(contract: SchemaValidator) {
        self.contract = contract
    }

    /// The operation's path template, when the document has an operation for `method` on `path`.
    public func template(method: String, path: String) -> String? {
        guard let template = contract.template(for: path), contract.operation(method.lowercased(), template) != nil else { return nil }
        return template
    }

    /// How a request the server accepted breaks the document: undocumented query parameters,
    /// an unlisted body media type, or a JSON body its schema refuses. Only for accepted
    /// requests: refusing more than the document allows is the server's business.
    public func requestProblems(
        method: String, template: String, queryNames: Set<String>, contentType: String?, body: [UInt8]
    ) -> [String] {
        let method = method.lowercased()
        var problems: [String] = []
        let declared = contract.queryParameters(method, template)
        for name in queryNames.sorted() where !declared.contains(name) {
            problems.append("query parameter '\(name)' is not documented")
        }
        guard !body.isEmpty else { return problems }
        let listed = contract.requestContentTypes(method, template)
        guard !listed.isEmpty else { return problems + ["accepted a request body, which the document does not describe"] }
        // Without a Content-Type the server reads JSON.
        let mediaType = contentType.map { String($0.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased() } ?? "application/json"
        guard listed.contains(mediaType) else {
            return problems + ["accepted a request body of type \(mediaType), which the document does not list"]
        }
        guard mediaType == "application/json", let schema = contract.requestSchema(method, template) else { return problems }
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(body)) else {
            return problems + ["the accepted request body is not JSON"]
        }
        return problems + contract.errors(value, against: schema, at: "request").map { "accepted a request the document refuses: \($0)" }
    }

    /// How a response breaks the document: an undocumented status, or a JSON body (`body`
    /// `nil` when the response is not JSON) that the schema for its status refuses.
    public func responseProblems(method: String, template: String, status: Int, jsonBody body: [UInt8]?) -> [String] {
        let method = method.lowercased()
        guard contract.response(method, template, status: status) != nil else { return ["status \(status) is not documented"] }
        guard let body else { return [] }
        guard let schema = contract.responseSchema(method, template, status: status) else {
            return ["a JSON body for status \(status) is not documented"]
        }
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(body)) else {
            return ["the response body is not JSON"]
        }
        return contract.errors(value, against: schema, at: "response")
    }
}
