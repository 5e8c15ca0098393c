import ClutchCore
import ClutchRefs
import Foundation
import ProcessTestSupport
import ServerTestSupport
import TestSupport
import Testing

/// `clutch refs scan` over a real git repository the test makes (git init, add, commit), with the
/// awkward cases: a key that is a prefix of another, keys in comments, binary files, symbolic
/// links, files that are not UTF-8, ignored files; and `--upload` replacing a branch's scan.
@Suite("clutch refs scan")
struct RefsTests {
    /// A git work tree in a temporary directory.
    struct Repository {
        let url: URL
        var path: String { url.path }

        init() async throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-refs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try await git("init", "-q", "-b", "main")
        }

        func write(_ relative: String, _ text: String) throws {
            try write(relative, Data(text.utf8))
        }

        func write(_ relative: String, _ data: Data) throws {
            let file = url.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
        }

        /// Runs git in the repository (a fixed author, no user configuration read).
        @discardableResult
        func git(_ arguments: String...) async throws -> String {
            let outcome = try await Subprocess.run(
                ["git", "-C", path, "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"] + arguments,
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": path, "GIT_CONFIG_NOSYSTEM": "1"])
            guard outcome.status == 0 else { throw TestFailure("git \(arguments.joined(separator: " ")): \(outcome.stderr)") }
            return outcome.stdout
        }

        func commitAll(_ message: String) async throws {
            try await git("add", "-A")
            try await git("commit", "-q", "-m", message)
        }

        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    @Test("a scan finds quoted keys, comments, generated names and refs.yaml names, and not prefixes, binary files, links or ignored files")
    func scanFindsWhatCountsAndNothingElse() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("chk")
        let longer = key + "-v2"
        for flag in [key, longer] { #expect(try await server.clutch("flags", "create", flag).status == 0) }
        // What `clutch generate swift` names the accessor: chk-1a2b3c4d → chk1a2b3c4d, chk-f30d… →
        // chkF30d… (the random part may start with a letter, which camel case capitalises).
        let name = FlagNames.accessor(for: key)
        #expect(name.lowercased() == key.replacingOccurrences(of: "-", with: ""))
        let upper = key.uppercased().replacingOccurrences(of: "-", with: "_")

        let repository = try await Repository()
        defer { repository.remove() }
        try repository.write("Sources/App.swift", """
            if client.bool("\(key)", default: false) { checkout() }
            let second = client.bool("\(longer)", default: false)
            // "\(key)" stays on for the legacy path until March.
            let notAFlag = "\(key)-v2-extra" + "x\(key)"
            if client.flags.\(name)(for: user) {}
            let also = client.flags.\(name)Later
            """)
        try repository.write("web/app.ts", "const a = flags.isOn('\(key)');\nconst b = `\(longer)`;\n")
        try repository.write("assets/blob.bin", Data([0x89, 0x50, 0x00, 0x01]) + Data("\"\(key)\"".utf8))
        try repository.write("legacy/latin1.py", Data([0x23, 0x20, 0xE9, 0x74, 0xE9, 0x0A]) + Data("flag = client.get(\"\(key)\") # caf".utf8) + Data([0xE9, 0x0A]))
        try repository.write(".clutch/refs.yaml", "patterns:\n  - \"FLAG_{upper_snake}\"\n")
        try repository.write("Config.kt", "val on = Flags.FLAG_\(upper)\nval off = Flags.FLAG_\(upper)_OLD\n")
        try repository.write(".gitignore", "build/\n")
        try repository.write("build/generated.swift", "client.bool(\"\(key)\", default: true)\n")
        try FileManager.default.createSymbolicLink(atPath: repository.url.appendingPathComponent("link.swift").path, withDestinationPath: "Sources/App.swift")
        try FileManager.default.createSymbolicLink(atPath: repository.url.appendingPathComponent("loop").path, withDestinationPath: "loop")
        try await repository.commitAll("first")

        let scan = try await server.clutch("refs", "scan", repository.path, "--json")
        #expect(scan.status == 0, "\(scan)")
        let report = try scan.json()
        let references = report["references"]?.array ?? []
        func places(_ flag: String) -> [String] {
            references.filter { $0["flag"]?.string == flag }.map { "\($0["path"]?.string ?? ""):\($0["line"]?.int ?? 0)" }
        }
        #expect(places(key) == ["Config.kt:1", "Sources/App.swift:1", "Sources/App.swift:3", "Sources/App.swift:5", "legacy/latin1.py:2", "web/app.ts:1"])
        #expect(places(longer) == ["Sources/App.swift:2", "web/app.ts:2"])
        let aliases = references.filter { $0["flag"]?.string == key }.map { $0["alias"]?.string ?? "-" }
        #expect(aliases == ["FLAG_\(upper)", "-", "-", name, "-", "-"])
        let latin = try #require(references.first { $0["path"]?.string == "legacy/latin1.py" })
        #expect(latin["context"]?.string == "flag = client.get(\"\(key)\") # caf\u{FFFD}", "not UTF-8: scanned as bytes")
        #expect(report["binaryFiles"]?.int == 1)
        #expect(report["skippedFiles"]?.int == 2, "two symbolic links, not followed")
        // The tracked files: App.swift, app.ts, blob.bin, latin1.py, refs.yaml, Config.kt, .gitignore, two links.
        #expect(report["files"]?.int == 6)

        let text = try await server.clutch("refs", "scan", repository.path)
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("\(key)  6 references\n  Config.kt:1  val on = Flags.FLAG_\(upper)  [FLAG_\(upper)]\n  Sources/App.swift:1  if client.bool(\"\(key)\", default: false) { checkout() }"), "\(text.stdout)")
        #expect(text.stdout.contains("\(longer)  2 references"))
        #expect(text.stdout.contains("Scanned 6 files"))
    }

    @Test("an upload replaces the branch's scan, and flags get shows the references and where a flag is referenced no more")
    func uploadReplacesTheBranchScan() async throws {
        let server = try await TestServer.shared.get()
        let app = uniqueKey("app")
        let kept = uniqueKey("kept")
        let dropped = uniqueKey("dropped")
        for flag in [kept, dropped] { #expect(try await server.clutch("flags", "create", flag).status == 0) }
        let repository = try await Repository()
        defer { repository.remove() }
        try repository.write("Sources/Checkout.swift", "if client.bool(\"\(kept)\", default: false) {}\nif client.bool(\"\(dropped)\", default: false) {}\n")
        try await repository.commitAll("both")

        let first = try await server.clutch("refs", "scan", repository.path, "--upload", "--repo", app, "--commit", "1a2b3c4")
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("Uploaded to \(app)@main at 1a2b3c4."), "the branch from git: \(first.stdout)")
        let before = try await server.clutch("flags", "get", dropped)
        #expect(before.stdout.contains("code references: 1\n  \(app)@main Sources/Checkout.swift:2  if client.bool(\"\(dropped)\", default: false) {}"), "\(before.stdout)")

        try repository.write("Sources/Checkout.swift", "if client.bool(\"\(kept)\", default: false) {}\n")
        try await repository.commitAll("drop the check")
        let head = try await repository.git("rev-parse", "--short", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let second = try await server.clutch("refs", "scan", repository.path, "--upload", "--repo", app, "--json")
        #expect(second.status == 0, "\(second)")
        #expect(try second.json()["upload"]?["removed"] == .array([.string(dropped)]))
        #expect(try second.json()["upload"]?["scan"]?["commit"]?.string == head, "the commit from git")

        let after = try await server.clutch("flags", "get", dropped)
        #expect(after.stdout.contains("code references: none in the uploaded scans\n  removed from \(app)@main in \(head)"), "\(after.stdout)")
        let still = try await server.clutch("flags", "get", kept)
        #expect(still.stdout.contains("code references: 1\n  \(app)@main Sources/Checkout.swift:1"), "\(still.stdout)")
    }

    @Test("refs scan outside a git work tree, a bad refs.yaml and --upload without --repo fail with one line")
    func refusals() async throws {
        let server = try await TestServer.shared.get()
        let plain = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-norepo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: plain) }
        let outside = try await server.clutch("refs", "scan", plain.path)
        #expect(outside.status == 1)
        #expect(outside.stderr.hasPrefix("error: cannot list the files of"), "\(outside)")
        #expect(outside.stderr.split(separator: "\n").count == 1)

        let repository = try await Repository()
        defer { repository.remove() }
        try repository.write(".clutch/refs.yaml", "patterns:\n  - \"FLAG\"\n")
        let badPattern = try await server.clutch("refs", "scan", repository.path)
        #expect(badPattern.status == 1)
        #expect(badPattern.stderr.contains(".clutch/refs.yaml: patterns[0] 'FLAG' names no flag"), "\(badPattern)")
        try repository.write(".clutch/refs.yaml", "pattern: []\n")
        let unknown = try await server.clutch("refs", "scan", repository.path)
        #expect(unknown.stderr.contains("unknown field 'pattern'"), "\(unknown)")

        let noRepo = try await server.clutch("refs", "scan", repository.path, "--upload")
        #expect(noRepo.status == 2)
        #expect(noRepo.stderr.contains("--upload needs --repo NAME"), "\(noRepo)")
    }
}
