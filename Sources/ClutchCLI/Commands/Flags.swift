import ArgumentParser

/// `clutch flags …`: the flag catalogue.
struct Flags: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, create, archive and delete flags.",
        subcommands: [FlagsList.self, FlagsGet.self, FlagsCreate.self, FlagsArchive.self, FlagsUnarchive.self, FlagsDelete.self, FlagsRestore.self, FlagsStale.self, FlagsSet.self, FlagsSetKind.self, FlagsSetOwner.self],
        defaultSubcommand: FlagsList.self)
}
