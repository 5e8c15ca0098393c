import ClutchServer
import Foundation

/// The server URL and admin token a command uses: flags first, then `CLUTCH_URL` and
/// `CLUTCH_TOKEN`, then the configuration file, then `http://127.0.0.1:8080`.
struct ClientEndpoint: Sendable {
    static let defaultServer = "http://127.0.0.1:8080"

    var server: URL
    var token: String?

    /// Resolves the endpoint. The config file's token is only used for the config file's
    /// server, so a token never goes to a server it was not issued by.
    static func resolve(
        server: String?, token: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ClientEndpoint {
        let config = try? CLIConfigFile.read(from: CLIConfigFile.defaultPath(environment: environment))
        let explicitServer = nonEmpty(server) ?? nonEmpty(environment["CLUTCH_URL"])
        let serverText = explicitServer ?? config?.server ?? defaultServer
        let url = try parseServer(serverText)
        var resolvedToken = nonEmpty(token) ?? nonEmpty(environment["CLUTCH_TOKEN"])
        if resolvedToken == nil, let config, let configURL = try? parseServer(config.server),
            normalized(configURL) == normalized(url)
        {
            resolvedToken = config.token
        }
        return ClientEndpoint(server: url, token: resolvedToken)
    }

    /// A server URL: `http(s)://host[:port][/prefix]`; a bare `host:port` gets `http://`.
    static func parseServer(_ text: String) throws -> URL {
        var text = text.trimmingCharacters(in: .whitespaces)
        if !text.contains("://") { text = "http://" + text }
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else {
            throw CLIError.usage("invalid server URL '\(text)'", hint: "use e.g. --server http://127.0.0.1:8080")
        }
        return url
    }

    private static func normalized(_ url: URL) -> String {
        url.absoluteString.lowercased()
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}
