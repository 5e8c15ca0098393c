import ClutchCore
import Foundation

/// Checks JSON values against the schemas of an OpenAPI 3.1 document: the subset of JSON Schema
/// the Clutch document uses (`type`, including type arrays for null, `properties`, `required`,
/// `additionalProperties`, `items`, `enum`, `const`, `oneOf`, `anyOf`, `allOf`, `minimum`, `maximum`,
/// `format: date-time` and `$ref` into the document).
///
/// Values are `ClutchCore.Value`, which keeps integers and doubles apart as the wire does.
public struct SchemaValidator: Sendable {
    /// The whole OpenAPI document; `$ref`s are JSON pointers into it.
    public let document: Value

    public init(document: Value) {
        self.document = document
    }

    /// The served document (`docs/openapi.json`), parsed once.
    public static let served: Result<SchemaValidator, any Error> = Result { try SchemaValidator(json: OpenAPIDocument.json) }

    /// Parses an OpenAPI document from JSON text.
    public init(json: String) throws {
        self.document = try JSONDecoder().decode(Value.self, from: Data(json.utf8))
    }

    // MARK: Validation

    /// Every way `instance` breaks `schema`, as `path: problem` lines; empty when it conforms.
    public func errors(_ instance: Value, against schema: Value, at path: String = "$") -> [String] {
        var found: [String] = []
        check(instance, schema, path, depth: 0, into: &found)
        return found
    }

    private func check(_ instance: Value, _ schema: Value, _ path: String, depth: Int, into found: inout [String]) {
        guard depth < 64 else {
            found.append("\(path): schema nesting too deep (a $ref cycle?)")
            return
        }
        let keywords: [String: Value]
        switch schema {
        case .bool(true): return
        case .bool(false):
            found.append("\(path): no value is allowed here")
            return
        case .object(let object): keywords = object
        default:
            found.append("\(path): the schema is not an object")
            return
        }

        if case .string(let reference)? = keywords["$ref"] {
            if let target = resolve(reference) {
                check(instance, target, path, depth: depth + 1, into: &found)
            } else {
                found.append("\(path): unresolvable $ref \(reference)")
            }
        }

        if let type = keywords["type"] {
            let allowed: [String]
            switch type {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap(\.stringValue)
            default: allowed = []
            }
            if !allowed.contains(where: { Self.value(instance, hasType: $0) }) {
                found.append("\(path): expected \(allowed.joined(separator: " or ")), got \(instance.kindName)")
                return  // the other keywords would only repeat the mismatch
            }
        }

        if case .array(let options)? = keywords["enum"], !options.contains(where: { Self.equal($0, instance) }) {
            found.append("\(path): \(instance.jsonText) is not one of \(Value.array(options).jsonText)")
        }
        if let constant = keywords["const"], !Self.equal(constant, instance) {
            found.append("\(path): expected \(constant.jsonText), got \(instance.jsonText)")
        }
        if let number = instance.numberValue {
            if let minimum = keywords["minimum"]?.numberValue, number < minimum {
                found.append("\(path): \(number) is below the minimum \(minimum)")
            }
            if let maximum = keywords["maximum"]?.numberValue, number > maximum {
                found.append("\(path): \(number) is above the maximum \(maximum)")
            }
        }
        if keywords["format"]?.stringValue == "date-time", case .string(let text) = instance, !Self.isDateTime(text) {
            found.append("\(path): '\(text)' is not an RFC 3339 date-time")
        }

        if case .object(let members) = instance {
            let properties: [String: Value]
            if case .object(let declared)? = keywords["properties"] { properties = declared } else { properties = [:] }
            if case .array(let required)? = keywords["required"] {
                for name in required.compactMap(\.stringValue) where members[name] == nil {
                    found.append("\(path): missing required property '\(name)'")
                }
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[name] {
                    check(member, propertySchema, "\(path).\(name)", depth: depth + 1, into: &found)
                } else if let additional = keywords["additionalProperties"] {
                    if case .bool(false) = additional {
                        found.append("\(path): unexpected property '\(name)'")
                    } else {
                        check(member, additional, "\(path).\(name)", depth: depth + 1, into: &found)
                    }
                }
            }
        }

        if case .array(let elements) = instance, let items = keywords["items"] {
            for (index, element) in elements.enumerated() {
                check(element, items, "\(path)[\(index)]", depth: depth + 1, into: &found)
            }
        }

        if case .array(let all)? = keywords["allOf"] {
            for sub in all { check(instance, sub, path, depth: depth + 1, into: &found) }
        }
        if case .array(let any)? = keywords["anyOf"] {
            let failures = any.map { errors(instance, against: $0, at: path) }
            if !failures.contains(where: \.isEmpty) {
                found.append("\(path): matches none of anyOf (\(failures.map { $0.first ?? "" }.joined(separator: "; ")))")
            }
        }
        if case .array(let one)? = keywords["oneOf"] {
            let failures = one.map { errors(instance, against: $0, at: path) }
            let matching = failures.filter(\.isEmpty).count
            if matching == 0 {
                found.append("\(path): matches none of oneOf (\(failures.map { $0.first ?? "" }.joined(separator: "; ")))")
            } else if matching > 1 {
                found.append("\(path): matches \(matching) schemas of oneOf, exactly one allowed")
            }
        }
    }

    /// JSON Schema's types; an integer is any number without a fraction, as the spec says.
    private static func value(_ value: Value, hasType type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .integer), ("number", .double), ("integer", .integer):
            return true
        case ("integer", .double(let d)):
            return d.isFinite && d.rounded() == d
        default:
            return false
        }
    }

    /// JSON equality: `1` equals `1.0`.
    private static func equal(_ a: Value, _ b: Value) -> Bool {
        if let x = a.numberValue, let y = b.numberValue { return x == y }
        return a == b
    }

    /// RFC 3339 date-time (a date, `T`, a time and an offset), without Foundation's formatters.
    private static func isDateTime(_ text: String) -> Bool {
        text.utf8.count >= 20 && text.utf8.contains(UInt8(ascii: "T")) && Timestamp.seconds(text) != nil
    }

    // MARK: Document navigation

    /// The value a local JSON pointer (`#/components/schemas/Flag`) names.
    public func resolve(_ reference: String) -> Value? {
        guard reference.hasPrefix("#") else { return nil }
        var current = document
        for raw in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(token), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// `value`, or what its `$ref` points at (responses and parameters may be references).
    public func dereferenced(_ value: Value) -> Value? {
        if case .object(let object) = value, case .string(let reference)? = object["$ref"] {
            return resolve(reference)
        }
        return value
    }

    /// The paths object's keys.
    public var pathTemplates: [String] {
        guard case .object(let root) = document, case .object(let paths)? = root["paths"] else { return [] }
        return paths.keys.sorted()
    }

    /// The path template that `path` (no query) matches; literal segments win over `{parameters}`,
    /// so `/api/v1/flags/stale` is not taken for `/api/v1/flags/{key}`.
    public func template(for path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var best: (template: String, literals: Int)?
        for template in pathTemplates {
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count else { continue }
            var literals = 0
            var matches = true
            for (part, segment) in zip(parts, segments) {
                if part.hasPrefix("{") && part.hasSuffix("}") {
                    if segment.isEmpty { matches = false }
                } else if part == segment {
                    literals += 1
                } else {
                    matches = false
                }
                if !matches { break }
            }
            if matches, literals > (best?.literals ?? -1) { best = (template, literals) }
        }
        return best?.template
    }

    /// The operation object for `method` (lowercase) on `template`.
    public func operation(_ method: String, _ template: String) -> Value? {
        guard let paths = resolve("#/paths"), case .object(let byPath) = paths,
            case .object(let item)? = byPath[template]
        else { return nil }
        return item[method.lowercased()]
    }

    /// The response object of an operation for `status` (or its `default`), dereferenced.
    public func response(_ method: String, _ template: String, status: Int) -> Value? {
        guard case .object(let operation)? = operation(method, template),
            case .object(let responses)? = operation["responses"],
            let response = responses[String(status)] ?? responses["default"]
        else { return nil }
        return dereferenced(response)
    }

    /// The names of the headers a response documents (as written in the document).
    public func responseHeaders(_ method: String, _ template: String, status: Int) -> [String] {
        guard case .object(let response)? = response(method, template, status: status),
            case .object(let headers)? = response["headers"]
        else { return [] }
        return headers.keys.sorted()
    }

    /// The media types a response documents for its body.
    public func responseContentTypes(_ method: String, _ template: String, status: Int) -> [String] {
        guard case .object(let response)? = response(method, template, status: status),
            case .object(let content)? = response["content"]
        else { return [] }
        return content.keys.sorted()
    }

    /// The schema a response body of `contentType` must follow; `nil` when the document gives none.
    public func responseSchema(_ method: String, _ template: String, status: Int, contentType: String = "application/json") -> Value? {
        guard case .object(let response)? = response(method, template, status: status),
            case .object(let content)? = response["content"],
            case .object(let media)? = content[contentType]
        else { return nil }
        return media["schema"]
    }

    /// The media types an operation's request body may have; empty when it takes no body.
    public func requestContentTypes(_ method: String, _ template: String) -> [String] {
        guard case .object(let operation)? = operation(method, template),
            let body = operation["requestBody"].flatMap(dereferenced),
            case .object(let request) = body,
            case .object(let content)? = request["content"]
        else { return [] }
        return content.keys.sorted()
    }

    /// The schema of an operation's request body of `contentType`; `nil` when it gives none.
    public func requestSchema(_ method: String, _ template: String, contentType: String = "application/json") -> Value? {
        guard case .object(let operation)? = operation(method, template),
            let body = operation["requestBody"].flatMap(dereferenced),
            case .object(let request) = body,
            case .object(let content)? = request["content"],
            case .object(let media)? = content[contentType]
        else { return nil }
        return media["schema"]
    }

    /// The names of the query parameters an operation (or its path item) declares.
    public func queryParameters(_ method: String, _ template: String) -> Set<String> {
        guard let paths = resolve("#/paths"), case .object(let byPath) = paths,
            case .object(let item)? = byPath[template]
        else { return [] }
        var declared: [Value] = []
        if case .array(let shared)? = item["parameters"] { declared += shared }
        if case .object(let operation)? = item[method.lowercased()], case .array(let own)? = operation["parameters"] { declared += own }
        var names: Set<String> = []
        for parameter in declared {
            guard case .object(let fields)? = dereferenced(parameter),
                fields["in"] == .string("query"), case .string(let name)? = fields["name"]
            else { continue }
            names.insert(name)
        }
        return names
    }
}
