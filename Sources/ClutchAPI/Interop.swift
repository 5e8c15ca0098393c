import ClutchCore

/// `POST /api/v1/import?format=`: the formats a document can be imported from. Each foreign format
/// is converted to a ``ClutchDocument`` (ClutchInterop's `ForeignFormat`) and then imported exactly
/// as a Clutch document is: the same dry-run diff, the same all-or-nothing write.
public enum ImportFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// Clutch's own document (JSON or YAML), as `clutch export` writes it.
    case clutch
    /// A flagd flag-definition document (`flags.json`), for one environment.
    case flagd
    /// LaunchDarkly flags: its SDKs' data (one environment) or its REST API's flags (every environment).
    case launchdarkly
    /// Unleash features: its export (every environment) or its client API's features (one environment).
    case unleash
}

/// A construct of a document that the other side cannot express, named by its path in the
/// document it comes from (`flags.new-checkout.targeting.if[0]`), with the reason.
///
/// On import, any of them refuses the import (nothing half-imported); on export, they list what
/// was left out. Notes use the same shape for what carries over with a caveat (a rollout keeps its
/// proportions, not its assignment of users).
public struct ConversionIssue: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`, as messages and the CLI print it.
    public var description: String { "\(path): \(reason)" }
}

/// `GET /api/v1/export/flagd`: one environment's flags as a flagd flag-definition document, and
/// what was left out of it (flags flagd cannot express, each construct with its reason).
public struct FlagdExportAnswer: Sendable, Hashable, Codable {
    public var environment: String
    /// The flagd document (`flags.json` schema v0), as `GET /flagd/v1/flags.json` serves it.
    public var document: Value
    public var unexpressed: [ConversionIssue]

    public init(environment: String, document: Value, unexpressed: [ConversionIssue]) {
        self.environment = environment
        self.document = document
        self.unexpressed = unexpressed
    }
}
