import ClutchAPI
import ClutchStore

/// Who is calling: a person (signed in to the console), a personal or service token, or an SDK
/// key reading one environment. The first three act through the admin API and are judged by
/// the one ``AccessPolicy``; an SDK key never is (it only reads its environment).
public enum Principal: Sendable, Hashable {
    /// A person acting themselves (a console session).
    case person(PersonAccess)
    /// A token acting as its person, with at most their rights.
    case personalToken(TokenAccess)
    /// A service token (CI, bots): its own role.
    case serviceToken(TokenAccess)
    case sdk(keyID: String, environment: String, kind: SDKKeyKind)

    /// The principal a token's credential stands for.
    init(_ access: TokenAccess) {
        self = access.token.kind == .service ? .serviceToken(access) : .personalToken(access)
    }

    /// How the policy sees the caller; `nil` for an SDK key.
    public var subject: AccessSubject? {
        switch self {
        case .person(let person): person.subject
        case .personalToken(let access), .serviceToken(let access): access.subject
        case .sdk: nil
        }
    }

    /// How revisions and the audit log name the caller (`alice@example.com`, `ci (service token)`,
    /// `laptop (token of alice@example.com)`); `nil` for an SDK key.
    public var actor: String? { subject?.name }

    /// The person the caller acts as, if any.
    public var person: PersonAccess? {
        switch self {
        case .person(let person): person
        case .personalToken(let access): access.person
        case .serviceToken, .sdk: nil
        }
    }

    /// The credential behind its changes, for work that applies later with its rights (a
    /// scheduled change): the token when one was presented, else the person; `nil` for an SDK key.
    public var author: ChangeAuthor? {
        if let token { return .token(id: token.id) }
        return person.map { .person(id: $0.id) }
    }

    /// The token presented, if a token was.
    public var token: TokenRecord? {
        switch self {
        case .personalToken(let access), .serviceToken(let access): access.token
        case .person, .sdk: nil
        }
    }
}
