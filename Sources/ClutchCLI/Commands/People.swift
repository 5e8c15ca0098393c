import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch users …`: people and their roles (owners only; the server's policy decides).
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add people, give them roles, list and remove them.",
        subcommands: [UsersAdd.self, UsersList.self, UsersSetRole.self, UsersRemove.self],
        defaultSubcommand: UsersList.self)
}

/// `--role ROLE [--env ENV]...`: a role, in some environments (all when none is given).
struct RoleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("viewer, responder, editor or owner.", valueName: "role"))
    var role: String

    @Option(name: .customLong("env"), help: ArgumentHelp("Where the role holds (repeat for several; default: everywhere).", valueName: "env"))
    var environments: [String] = []

    func parsedRole() throws -> Role {
        guard let role = Role(rawValue: role.lowercased()) else {
            throw CLIError.usage("unknown role '\(role)'", hint: "one of viewer, responder, editor, owner")
        }
        return role
    }
}

struct UsersAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a person with a role; prints their one-time invite link (valid 7 days).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var grant: RoleOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "Their email.") var email: String
    @Option(help: ArgumentHelp("Their name, as the console shows it.", valueName: "name")) var name: String?

    func run() async throws {
        let request = PersonCreate(
            email: email, name: name, role: try grant.parsedRole(), environments: grant.environments.isEmpty ? nil : grant.environments)
        let response = try await connection.client().send("POST", ["users"], json: request, message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let created = try response.decode(PersonCreated.self)
        Output.text("Added \(Output.printable(created.person.email)) as \(Users.describe(created.person.grant)). Their invite link (single use, valid 7 days):")
        Output.text(Style.bold(created.inviteUrl))
    }
}

struct UsersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the people who are members.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let response = try await connection.client().send("GET", ["users"])
        if connection.json { return Output.json(try response.json()) }
        let people = try response.decode(PersonList.self).users
        if people.isEmpty { return Output.text("Nobody yet. Add someone with 'clutch users add you@example.com --role owner'.") }
        var table = Table(["EMAIL", "NAME", "ROLE", "PASSWORD", "ADDED"])
        for person in people {
            table.add([
                Output.printable(person.email), Output.printable(person.name ?? "-"), Users.describe(person.grant),
                person.hasPassword ? "set" : "invited", Output.time(person.createdAt),
            ])
        }
        Output.text(table.render())
    }
}

struct UsersSetRole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-role", abstract: "Give a person another role; lowering it ends their tokens and sessions at once.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var grant: RoleOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "Their email.") var email: String

    func run() async throws {
        let request = RoleChange(role: try grant.parsedRole(), environments: grant.environments.isEmpty ? nil : grant.environments)
        let response = try await connection.client().send("PUT", ["users", email, "role"], json: request, message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let person = try response.decode(Person.self)
        Output.text("\(Output.printable(person.email)) is now \(Users.describe(person.grant)).")
    }
}

struct UsersRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a person: their tokens and console sessions end at once.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "Their email.") var email: String

    func run() async throws {
        _ = try await connection.client().send("DELETE", ["users", email], message: change.message)
        if connection.json { return Output.json(["removed": .string(email)]) }
        Output.text("Removed \(Output.printable(email)); their tokens and sessions no longer work.")
    }
}

extension Users {
    /// `editor in staging, production` or `owner`.
    static func describe(_ grant: AccessGrant) -> String {
        grant.environments.isEmpty ? grant.role.rawValue : "\(grant.role.rawValue) in \(grant.environments.joined(separator: ", "))"
    }
}

/// `clutch tokens …`: personal tokens (yours), and service tokens (owners).
struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke tokens for the API and the CLI.",
        subcommands: [TokensCreate.self, TokensList.self, TokensRevoke.self],
        defaultSubcommand: TokensList.self)
}

struct TokensCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Make a personal token (or, as an owner, a service token with --service); it is shown only once.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Option(help: ArgumentHelp("A name to recognise it by (revisions say '<name> (service token)' or '<name> (token of <you>)').", valueName: "name"))
    var name: String
    @ArgumentParser.Flag(help: "A service token for CI or a bot, belonging to nobody (owners only; needs --role).")
    var service = false
    @Option(help: ArgumentHelp("A service token's role, or the role a personal token is narrowed to.", valueName: "role"))
    var role: String?
    @Option(name: .customLong("env"), help: ArgumentHelp("Narrow it to these environments (repeat for several).", valueName: "env"))
    var environments: [String] = []
    @Option(help: ArgumentHelp("How long it works: '90d' (days; default: until revoked).", valueName: "duration"))
    var expires: String?

    func run() async throws {
        let parsedRole = try role.map { text -> Role in
            guard let role = Role(rawValue: text.lowercased()) else {
                throw CLIError.usage("unknown role '\(text)'", hint: "one of viewer, responder, editor, owner")
            }
            return role
        }
        if service, parsedRole == nil { throw CLIError.usage("a service token needs --role", hint: "e.g. --service --role editor") }
        let request = TokenCreate(
            name: name, service: service ? true : nil, role: parsedRole, environments: environments.isEmpty ? nil : environments,
            expiresInDays: try expires.map(Self.days))
        let response = try await connection.client().send("POST", ["tokens"], json: request, message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let created = try response.decode(TokenCreated.self)
        let expiry = created.record.expiresAt.map { "; it expires \(Output.time($0))" } ?? ""
        Output.text("Created \(Output.printable(created.record.actor)), id \(created.record.id)\(expiry):")
        Output.text(Style.bold(created.token))
        Output.text(Style.yellow("Store it now: it is not shown again."))
    }

    /// `90d` or `90` → 90 days.
    static func days(_ text: String) throws -> Int {
        let digits = text.hasSuffix("d") ? String(text.dropLast()) : text
        guard let days = Int(digits), days > 0 else {
            throw CLIError.usage("--expires takes days, such as 90d", hint: "e.g. --expires 90d")
        }
        return days
    }
}

struct TokensList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (yours; an owner sees all), never their secrets.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let response = try await connection.client().send("GET", ["tokens"])
        if connection.json { return Output.json(try response.json()) }
        let tokens = try response.decode(TokenList.self).tokens
        if tokens.isEmpty { return Output.text("No tokens. Make one with 'clutch tokens create --name laptop'.") }
        var table = Table(["ID", "TOKEN", "ROLE", "EXPIRES", "REVOKED"])
        for token in tokens {
            let role = token.role.map { role in Users.describe(AccessGrant(role: role, environments: token.environments)) }
                ?? (token.environments.isEmpty ? "as its person" : "as its person in \(token.environments.joined(separator: ", "))")
            table.add([
                token.id, Output.printable(token.actor), role, token.expiresAt.map { Output.time($0) } ?? "-",
                token.revokedAt == nil ? "-" : Style.red(Output.time(token.revokedAt)),
            ])
        }
        Output.text(table.render())
    }
}

struct TokensRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token: it stops working at once.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The token's id (t_…).") var id: String

    func run() async throws {
        let response = try await connection.client().send("DELETE", ["tokens", id], message: change.message)
        if connection.json { return Output.json(try response.json()) }
        Output.text("Revoked \(id); it is refused from now on.")
    }
}
