import ClutchCore
import Foundation

/// The CLI's configuration file `{"server": "http://127.0.0.1:8080", "token": "..."}`, mode 0600.
///
/// Path: `$CLUTCH_CONFIG` if set, else `$XDG_CONFIG_HOME/clutch/config.json`, else
/// `~/.config/clutch/config.json`.
public struct CLIConfigFile: Codable, Sendable, Equatable {
    /// The server's base URL.
    public var server: String
    /// An admin token.
    public var token: String

    public init(server: String, token: String) {
        self.server = server
        self.token = token
    }

    /// Where the file lives for `environment`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["CLUTCH_CONFIG"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return (xdg as NSString).appendingPathComponent("clutch/config.json")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".config/clutch/config.json")
    }

    /// Reads the file at `path`.
    public static func read(from path: String) throws -> CLIConfigFile {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try ClutchJSON.decode(CLIConfigFile.self, from: data)
    }

    /// Writes the file atomically, creating its directory; the file is readable by its owner only
    /// (it holds an admin token), even for the instant between creation and rename.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var data = try ClutchJSON.encode(self, pretty: true)
        data.append(0x0A)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
            if rename(temporary.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
