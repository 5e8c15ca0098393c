/// The options every client command takes (``ConnectionOptions``, ``EnvironmentOption``), also
/// accepted before the subcommand: `clutch --token X flags list` is `clutch flags list --token X`.
/// ArgumentParser reads an option only after the command that declares it, so `main` moves the
/// ones written first to the end (before a `--`) before parsing.
enum GlobalOptions {
    /// Options that take a value (`--token X`, `--token=X`).
    static let withValue: Set<String> = ["--server", "--token", "--env", "-e"]
    /// Options without one.
    static let flags: Set<String> = ["--json"]

    /// `arguments` (without the program's name) with the global options that precede the first
    /// other argument moved after the rest; unchanged when none precede it.
    static func hoisted(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.hasPrefix("--") ? String(argument.prefix { $0 != "=" }) : argument
            if flags.contains(argument) {
                moved.append(argument)
                index += 1
            } else if withValue.contains(name), name != argument {
                moved.append(argument)  // --token=X
                index += 1
            } else if withValue.contains(argument), index + 1 < arguments.count {
                moved += arguments[index...(index + 1)]
                index += 2
            } else {
                break
            }
        }
        guard !moved.isEmpty, index < arguments.count else { return arguments }
        var rest = Array(arguments[index...])
        rest.insert(contentsOf: moved, at: rest.firstIndex(of: "--") ?? rest.endIndex)
        return rest
    }
}
