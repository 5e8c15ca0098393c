import ArgumentParser
import ClutchCore
import Foundation

/// Who to target: `--admins`, `--customers`, `--users`, `--cohort`, and `--serve`.
struct AudienceOptions: ParsableArguments {
    @ArgumentParser.Flag(help: "Admins: a rule 'role in admin' (role may be an array).")
    var admins = false

    @Option(help: ArgumentHelp("Customers by customerId, comma-separated.", valueName: "ids"))
    var customers: [String] = []

    @Option(help: ArgumentHelp("Users by targetingKey, comma-separated.", valueName: "ids"))
    var users: [String] = []

    @Option(help: ArgumentHelp("A cohort's members: a rule 'in cohort NAME'.", valueName: "name"))
    var cohort: [String] = []

    @Option(help: ArgumentHelp("The variant they get (default: on for booleans).", valueName: "variant"))
    var serve: String?

    /// The audiences named, in the order admins, customers, users, cohorts.
    func audiences() throws -> [Audience] {
        var result: [Audience] = []
        if admins { result.append(.admins) }
        let customerIDs = Self.split(customers)
        if !customerIDs.isEmpty { result.append(.customers(customerIDs)) }
        let userIDs = Self.split(users)
        if !userIDs.isEmpty { result.append(.users(userIDs)) }
        for name in Self.split(cohort) { result.append(.cohort(name)) }
        if result.isEmpty {
            throw CLIError.usage("say who: --admins, --customers a,b, --users u1,u2 or --cohort NAME")
        }
        return result
    }

    private static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
