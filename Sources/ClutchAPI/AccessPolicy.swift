import ClutchCore

/// What a caller asks to do, as the policy judges it: every admin route, console control,
/// scheduled change and release step is one of these (the server's route table maps each route).
public enum AccessAction: Sendable, Hashable {
    /// Reading anything: flags, cohorts, history, audit, usage, releases, schedules.
    case read
    /// Turning a flag off or killing it, pausing or aborting a release: in `environment`, or in
    /// every environment when `nil`.
    case respond(environment: String?)
    /// Creating or changing flags and cohorts, schedules and releases: in `environment`, or
    /// flag-wide (every environment) when `nil`.
    case edit(environment: String?)
    /// People, tokens, SDK keys, webhooks and environment settings.
    case administer
    /// Blocking a flag or an environment, and lifting one's own block: every role's, so that
    /// anyone who sees a problem can stop a release (lifting someone else's is an owner's).
    case block

    /// The least role that may do it.
    public var requiredRole: Role {
        switch self {
        case .read: .viewer
        case .respond: .responder
        case .edit: .editor
        case .administer: .owner
        case .block: .viewer
        }
    }

    /// The environment it concerns (`nil`: all, or none).
    public var environment: String? {
        switch self {
        case .read, .administer, .block: nil
        case .respond(let environment), .edit(let environment): environment
        }
    }

    /// How a refusal says what was asked.
    fileprivate var doing: String {
        switch self {
        case .read: "reading it"
        case .respond: "turning flags off"
        case .edit(let environment): environment == nil ? "changing flags everywhere" : "changing it"
        case .administer: "managing people, tokens, SDK keys, webhooks and environments"
        case .block: "blocking"
        }
    }
}

/// Who asks, as the policy sees them: the name revisions give them and every grant that limits
/// them (a narrowed personal token holds its own grant and its person's; it may what both allow).
public struct AccessSubject: Sendable, Hashable {
    /// `alice@example.com`, `ci (service token)`, `laptop (token of alice@example.com)`.
    public var name: String
    public var grants: [AccessGrant]

    public init(name: String, grants: [AccessGrant]) {
        self.name = name
        self.grants = grants
    }

    /// The role the subject holds in `environment` (`nil`: everywhere at once).
    public func role(in environment: String?) -> Role {
        grants.map { $0.role(in: environment) }.min() ?? .viewer
    }
}

/// Why the policy said no: one sentence naming who, their role where it mattered and the role
/// the action needs (`bob@example.com is a viewer in production; changing it needs editor`).
public struct AccessRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}

/// The one policy (README "Roles"): action × subject → allowed, or the refusal. Pure, so that
/// the API, the console, the CLI's answers, the scheduler and the release runner all ask the
/// same function and cannot disagree.
public enum AccessPolicy {
    /// `nil` when `subject` may do `action`; otherwise why not.
    public static func refusal(_ action: AccessAction, by subject: AccessSubject) -> AccessRefusal? {
        let environment = action.environment
        let held = subject.role(in: environment)
        let required = action.requiredRole
        if held >= required { return nil }
        let place = environment.map { " in \($0)" } ?? ""
        if environment == nil, let narrowed = subject.grants.first(where: { $0.role >= required && !$0.environments.isEmpty }) {
            // An editor of staging asked for a flag-wide change: say where they are one.
            let environments = narrowed.environments.joined(separator: ", ")
            return AccessRefusal(
                message: "\(subject.name) is \(narrowed.role.withArticle) in \(environments) only; \(action.doing) needs \(required.rawValue) everywhere")
        }
        return AccessRefusal(message: "\(subject.name) is \(held.withArticle)\(place); \(action.doing) needs \(required.rawValue)")
    }

    /// Throws the refusal when `subject` may not do `action`.
    public static func check(_ action: AccessAction, by subject: AccessSubject) throws(AccessRefusal) {
        if let refusal = refusal(action, by: subject) { throw refusal }
    }
}

extension AccessAction {
    /// What applying `instructions` in `environment` asks: turning a flag off alone is a
    /// responder's, a flag-wide edit (kind, owner, off variant) an editor's everywhere, anything
    /// else an editor's there (the API's changes and the console's controls alike).
    public static func applying(_ instructions: [Instruction], in environment: String) -> AccessAction {
        let onlyOff = !instructions.isEmpty && instructions.allSatisfy { if case .turnOff = $0 { true } else { false } }
        if onlyOff { return .respond(environment: environment) }
        return .edit(environment: instructions.contains(where: \.isFlagWide) ? nil : environment)
    }
}
