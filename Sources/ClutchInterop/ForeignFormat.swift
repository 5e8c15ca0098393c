import ClutchAPI
import ClutchCore
import Foundation

/// A flag format of another system that `clutch import --format` reads.
///
/// A format only converts: it turns the file as written into Clutch's own import document, and the
/// server then imports that document exactly as it imports a Clutch export (the same dry-run diff,
/// the same all-or-nothing write, the same validation). Whatever the file holds that Clutch cannot
/// express is reported, never dropped: an import with any ``Conversion/unmapped`` construct is refused.
public protocol ForeignFormat: Sendable {
    /// Converts `data` (the file's bytes) for `environment` (`--env`; a format whose documents
    /// hold one environment's flags requires it, one whose documents name their environments may
    /// use it to pick one). Pure: no I/O, the same answer for the same input.
    ///
    /// Throws ``ConversionFailure`` only when the document cannot be read at all (not JSON, not
    /// the expected shape at the top); a construct that can be read but not mapped is an
    /// ``Conversion/unmapped`` entry instead, so that one import names every one of them.
    func convert(_ data: Data, environment: String?) throws(ConversionFailure) -> Conversion
}

/// A foreign document as Clutch's import document, with what could not be mapped and what
/// carries over with a caveat.
public struct Conversion: Sendable, Hashable {
    public var document: ClutchDocument
    /// Constructs Clutch cannot express, by their path in the foreign document; any refuses the import.
    public var unmapped: [ConversionIssue]
    /// Caveats per flag (a percentage rollout keeps its proportions, not its assignment of users).
    public var notes: [ConversionIssue]

    public init(document: ClutchDocument, unmapped: [ConversionIssue] = [], notes: [ConversionIssue] = []) {
        self.document = document
        self.unmapped = unmapped
        self.notes = notes
    }
}

/// A foreign document that cannot be read at all: `path` names where (empty for the whole document).
public struct ConversionFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String = "", _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension ImportFormat {
    /// The converter of a foreign format; `nil` for Clutch's own document, which is imported as written.
    public var converter: (any ForeignFormat)? {
        switch self {
        case .clutch: nil
        case .flagd: FlagdImport()
        case .launchdarkly: LaunchDarklyImport()
        case .unleash: UnleashImport()
        }
    }
}
