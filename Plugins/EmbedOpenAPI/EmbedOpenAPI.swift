import Foundation
import PackagePlugin

/// Embeds `docs/openapi.json` — the one description of the HTTP API — into the server as
/// Swift source at build time, so `GET /openapi.json` serves the committed file byte for byte
/// and the installed `clutch` binary needs no resource bundle beside it.
@main
struct EmbedOpenAPI: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let document = context.package.directoryURL.appending(path: "docs/openapi.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument+Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding docs/openapi.json",
                executable: try context.tool(named: "ClutchEmbed").url,
                arguments: [document.path, output.path, "OpenAPIDocument"],
                inputFiles: [document],
                outputFiles: [output])
        ]
    }
}
