/// How a clause, a target, a cohort or a rollout's `bucketBy` names a context attribute: a
/// top-level attribute (`plan`) or, with dots, one nested in objects and arrays, as flagd's
/// `var` reads it (`user.plan` reads `{"user": {"plan": …}}`).
///
/// **Syntax.** Segments are separated by `.`, and none may be empty (`a..b`, `.a`, `a.` are
/// refused). Inside a segment `\.` is a literal dot and `\\` a literal backslash; a backslash
/// before anything else, or at the end, is refused. A name without dots or backslashes is
/// simply itself, as it always was.
///
/// **Reading a context.** The first segment is a top-level attribute (`targetingKey` is the
/// targeting key). Each further segment reads a key of an object, or an index of an array
/// when the segment is a decimal number without leading zeros (`items.0` is the first
/// element; `items.01` and `items.-1` index nothing). A missing key, an index out of range or
/// a step into anything else (a string, a number, null) finds nothing, and the attribute is
/// missing. Keys compare by their UTF-8 bytes. An array at the end of the path is the value,
/// matched element-wise like any array attribute.
///
/// **Flat names with dots.** When a path written without backslashes finds nothing nested, the
/// top-level attribute named by its whole text is read instead, so a context that sends
/// `{"app.version": …}` flat still matches a rule on `app.version`. When both exist the nested
/// one wins; `app\.version` reads only the flat one.
public struct AttributePath: Sendable, Hashable, CustomStringConvertible {
    /// The path as written.
    public let text: String
    /// The segments with escapes resolved: `["user", "plan"]` for `user.plan`, `["a.b"]` for `a\.b`.
    public let segments: [String]

    /// Why text is not a path.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Parses `text`; throws when it has an empty segment or a malformed escape.
    public init(_ text: String) throws(Invalid) {
        self.text = text
        // Nearly every attribute is a plain name: no parsing, no copying.
        if Self.isPlainName(text) {
            segments = [text]
            return
        }
        guard !text.isEmpty else { throw Invalid(message: "an attribute name must not be empty") }
        var segments: [String] = []
        var current: [UInt8] = []
        var escaped = false
        for byte in text.utf8 {
            if escaped {
                guard byte == Self.dot || byte == Self.backslash else {
                    throw Invalid(message: "'\(text)' has a backslash before something other than '.' or '\\': write \\. for a dot and \\\\ for a backslash inside a name")
                }
                current.append(byte)
                escaped = false
            } else if byte == Self.backslash {
                escaped = true
            } else if byte == Self.dot {
                guard !current.isEmpty else { throw Self.emptySegment(text) }
                segments.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        if escaped {
            throw Invalid(message: "'\(text)' ends in an unfinished escape: write \\\\ for a backslash")
        }
        guard !current.isEmpty else { throw Self.emptySegment(text) }
        // The bytes are split only at ASCII dots and backslashes, so each segment is valid UTF-8.
        segments.append(String(decoding: current, as: UTF8.self))
        self.segments = segments
    }

    /// `name` written as one segment: dots and backslashes escaped.
    public static func escaping(_ name: String) -> String {
        guard name.utf8.contains(where: { $0 == dot || $0 == backslash }) else { return name }
        var out = ""
        for character in name.unicodeScalars {
            if character == "." || character == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(character)
        }
        return out
    }

    /// Whether `text` is a name without path syntax (no dots, no backslashes): the whole of it
    /// is one top-level attribute.
    static func isPlainName(_ text: String) -> Bool {
        !text.isEmpty && !text.utf8.contains { $0 == dot || $0 == backslash }
    }

    /// Whether the path reads inside an object or an array.
    public var isNested: Bool { segments.count > 1 }

    /// The top-level name that a path written without backslashes also reads when it finds
    /// nothing nested: the whole text.
    var flatFallback: String? {
        isNested && !text.utf8.contains(Self.backslash) ? text : nil
    }

    public var description: String { text }

    public static func == (a: AttributePath, b: AttributePath) -> Bool { UTF8Bytes.equal(a.text, b.text) }

    public func hash(into hasher: inout Hasher) {
        UTF8Bytes.with(text) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    private static func emptySegment(_ text: String) -> Invalid {
        Invalid(message: "'\(text)' has an empty segment: separate names with single dots, and write \\. for a dot inside a name")
    }

    private static var dot: UInt8 { UInt8(ascii: ".") }
    private static var backslash: UInt8 { UInt8(ascii: "\\") }
}

extension EvaluationContext {
    /// The value at `path`, read as rules read it (see ``AttributePath``).
    public subscript(path path: AttributePath) -> Value? {
        AttributeRef(path).value(in: self)
    }
}
