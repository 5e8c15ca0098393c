import Foundation
import Yams

/// Where in a YAML text a fault is, as `line 4, column 7`: a document that does not parse names
/// the place libyaml stopped, and one that parses but does not decode (an unknown or misspelled
/// field, a wrong type) the place of the field its coding path names. People edit these files
/// by hand (`clutch import`, `.clutch/refs.yaml`); a path alone leaves them counting list items.
public enum YAMLPosition {
    /// `line L, column C` of a YAML syntax error (as thrown, or as the underlying error of the
    /// `DecodingError` YAMLDecoder wraps it in), or `nil` for any other error.
    public static func syntaxError(_ error: any Error) -> String? {
        guard let error = yamlError(error) else { return nil }
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return place(mark)
        default: return nil
        }
    }

    /// The problem of a YAML syntax error (libyaml's words, without the snippet), or `nil`.
    public static func syntaxProblem(_ error: any Error) -> String? {
        guard let error = yamlError(error) else { return nil }
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            return (context.map { "\($0.text) " } ?? "") + problem
        default: return nil
        }
    }

    /// `line L, column C` of the field a decoding error's coding path names in `text` (its key
    /// when it is a mapping's key, so an unknown field points at its name), or `nil` when the
    /// path cannot be followed.
    public static func decodingError(_ error: DecodingError, in text: String) -> String? {
        let path: [any CodingKey]
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context): path = context.codingPath
        case .keyNotFound(_, let context): path = context.codingPath
        @unknown default: return nil
        }
        guard var node = try? Yams.compose(yaml: text) else { return nil }
        var mark = node.mark
        for key in path {
            if let index = key.intValue, case .sequence(let sequence) = node, sequence.indices.contains(index) {
                node = sequence[index]
                mark = node.mark
            } else if case .mapping(let mapping) = node, let pair = mapping.first(where: { $0.key.string == key.stringValue }) {
                node = pair.value
                mark = pair.key.mark
            } else {
                break
            }
        }
        return mark.map(place)
    }

    private static func yamlError(_ error: any Error) -> YamlError? {
        if let error = error as? YamlError { return error }
        if case .dataCorrupted(let context)? = error as? DecodingError { return context.underlyingError.flatMap(yamlError) }
        return nil
    }

    private static func place(_ mark: Mark) -> String { "line \(mark.line), column \(mark.column)" }
}
