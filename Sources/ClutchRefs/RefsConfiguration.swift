import ClutchInterop
import Foundation
import Yams

/// `.clutch/refs.yaml` at the scanned tree's root: the names flags go by in this code base
/// besides their keys and generated accessors, matched as whole words.
///
/// ```yaml
/// aliases:                      # names of one flag
///   new-checkout: [NEW_CHECKOUT, kNewCheckout]
/// patterns:                     # names of every flag: {key} {camel} {pascal} {snake} {upper_snake} {kebab}
///   - "FLAG_{upper_snake}"
///   - "{pascal}Enabled"
/// ```
public struct RefsConfiguration: Sendable, Hashable, Decodable {
    public var aliases: [String: [String]]
    public var patterns: [String]

    public init(aliases: [String: [String]] = [:], patterns: [String] = []) {
        self.aliases = aliases
        self.patterns = patterns
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case aliases, patterns }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        aliases = try container.decodeIfPresent([String: [String]].self, forKey: .aliases) ?? [:]
        patterns = try container.decodeIfPresent([String].self, forKey: .patterns) ?? []
    }

    /// Where it is, relative to the scanned directory.
    public static let path = ".clutch/refs.yaml"

    /// The file under `directory`, or an empty configuration when there is none.
    public static func load(directory: String) throws -> RefsConfiguration {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else { return RefsConfiguration() }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    /// Reads the YAML text, refusing unknown fields and patterns without a placeholder, naming them.
    public static func parse(_ text: String) throws -> RefsConfiguration {
        let configuration: RefsConfiguration
        do {
            if let top = try Yams.load(yaml: text) as? [String: Any] {
                let known = Set(CodingKeys.allCases.map(\.rawValue))
                if let unknown = top.keys.sorted().first(where: { !known.contains($0) }) {
                    throw RefsConfigurationError("unknown field '\(unknown)' (known: aliases, patterns)")
                }
            }
            configuration = try YAMLDecoder().decode(RefsConfiguration.self, from: text.isEmpty ? "{}" : text)
        } catch let error as RefsConfigurationError {
            throw error
        } catch {
            if let position = YAMLPosition.syntaxError(error), let problem = YAMLPosition.syntaxProblem(error) {
                throw RefsConfigurationError("not valid YAML at \(position): \(problem)")
            }
            if let error = error as? DecodingError {
                let position = YAMLPosition.decodingError(error, in: text).map { " at \($0)" } ?? ""
                throw RefsConfigurationError("not a valid configuration\(position): \(Self.describe(error))")
            }
            throw RefsConfigurationError("\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "not valid YAML")
        }
        for (index, pattern) in configuration.patterns.enumerated()
        where !FlagNames.placeholders.contains(where: pattern.contains) {
            throw RefsConfigurationError("patterns[\(index)] '\(pattern)' names no flag: use one of \(FlagNames.placeholders.joined(separator: " "))")
        }
        return configuration
    }

    /// A decoding error in a few words: the field and what it should have been.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .typeMismatch(let type, let context): return "'\(path(context.codingPath))' must be \(type == String.self ? "text" : "a \(type)")"
        case .valueNotFound(_, let context): return "'\(path(context.codingPath))' has no value"
        case .keyNotFound(let key, let context): return "missing field '\(path(context.codingPath + [key]))'"
        case .dataCorrupted(let context): return context.debugDescription
        @unknown default: return "\(error)"
        }
    }

    /// Every name to look for among `flags`: each key as a literal, its generated accessor, and
    /// this file's aliases and patterns (aliases of flags not in `flags` are left out).
    public func names(flags: [String]) -> [ReferenceMatcher.Name] {
        var names: [ReferenceMatcher.Name] = []
        let known = Set(flags)
        for key in flags {
            names.append(ReferenceMatcher.Name(key, flag: key, kind: .key))
            names.append(ReferenceMatcher.Name(FlagNames.accessor(for: key), flag: key, kind: .accessor))
            for pattern in patterns { names.append(ReferenceMatcher.Name(FlagNames.expand(pattern, key: key), flag: key, kind: .alias)) }
        }
        for (key, aliases) in aliases.sorted(by: { $0.key < $1.key }) where known.contains(key) {
            for alias in aliases { names.append(ReferenceMatcher.Name(alias, flag: key, kind: .alias)) }
        }
        return names
    }
}

/// `.clutch/refs.yaml` could not be read.
public struct RefsConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = "\(RefsConfiguration.path): \(description)" }
}
