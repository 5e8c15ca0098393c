import ArgumentParser

/// "did you mean": for a command line ArgumentParser refused, the word that stands where a
/// subcommand was expected and names none (`clutch flgas list`, `clutch flags lsit`), with the
/// closest subcommand's name when one is within two edits. ArgumentParser itself would only say
/// "Unexpected argument 'flgas'".
enum CommandSuggestion {
    /// The usage error for `arguments` (without the program's name), or `nil` when every
    /// leading word names a command (the refusal is about something else). A command with a
    /// default subcommand reads a word it does not know as that subcommand's argument, so there
    /// only a close match is reported.
    static func error(for arguments: [String]) -> CLIError? {
        var names = Self.names(Clutch.configuration)
        var hasDefault = Clutch.configuration.defaultSubcommand != nil
        var path: [String] = []
        for word in arguments {
            if word.hasPrefix("-") || names.isEmpty { return nil }
            if let next = names.first(where: { $0.names.contains(word) }) {
                names = next.subcommands
                hasDefault = next.hasDefault
                path.append(word)
                continue
            }
            let unknown = (path + [word]).joined(separator: " ")
            if let close = closest(to: word, among: names.map(\.name)) {
                return .usage("unknown command '\(unknown)'; did you mean '\((path + [close]).joined(separator: " "))'?")
            }
            if hasDefault { return nil }
            return .usage("unknown command '\(unknown)'", hint: "see '\((["clutch"] + path).joined(separator: " ")) --help'")
        }
        return nil
    }

    /// A subcommand as the walk needs it: its name, the names it answers to, and its own subcommands.
    struct Command {
        var name: String
        var names: [String]
        var subcommands: [Command]
        var hasDefault: Bool
    }

    /// The subcommands `configuration` lists, with theirs.
    static func names(_ configuration: CommandConfiguration) -> [Command] {
        var commands: [Command] = []
        for type in configuration.subcommands {
            let name: String = type._commandName
            let own: CommandConfiguration = type.configuration
            commands.append(Command(name: name, names: [name] + own.aliases, subcommands: names(own), hasDefault: own.defaultSubcommand != nil))
        }
        return commands
    }

    /// The name within two edits of `word` (one for words of up to three letters), the closest first.
    static func closest(to word: String, among names: [String]) -> String? {
        let allowed = word.count <= 3 ? 1 : 2
        return names.map { (name: $0, distance: distance($0, word)) }
            .filter { $0.distance <= allowed }
            .min { $0.distance < $1.distance }?.name
    }

    /// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
