import ClutchCore
import ClutchRefs
import Foundation
import ProcessTestSupport
import ServerTestSupport
import TestSupport
import Testing

extension Tag {
    /// Runs `swift build` on a small package: seconds, not milliseconds (see ``GenerateTests``).
    @Tag static var swiftBuild: Self
}

/// `clutch generate swift`: the file it writes compiles against the SDK, and after a flag is
/// archived, regenerating removes its accessor so that the call site still using it stops compiling.
@Suite("clutch generate swift")
struct GenerateTests {
    @Test("generate swift writes typed accessors with the flag's description, none for archived flags")
    func accessorsAreTypedAndDocumented() async throws {
        let server = try await TestServer.shared.get()
        let checkout = uniqueKey("new-checkout")
        let banner = uniqueKey("banner")
        let archived = uniqueKey("gone")
        #expect(try await server.clutch("flags", "create", checkout, "--description", "One-page checkout").status == 0)
        #expect(try await server.clutch(
            "flags", "create", banner, "--type", "string", "--variant", "plain=Welcome", "--variant", "loud=WELCOME!", "--off-variant", "plain").status == 0)
        #expect(try await server.clutch("flags", "create", archived).status == 0)
        #expect(try await server.clutch("flags", "archive", archived).status == 0)

        let generated = try await server.clutch("generate", "swift", "--env", "production")
        #expect(generated.status == 0, "\(generated)")
        let source = generated.stdout
        let checkoutName = FlagNames.accessor(for: checkout)
        #expect(source.contains("""
                /// One-page checkout
                ///
                /// - Kind: release
                /// - Flag: `\(checkout)` (boolean); false when it cannot be evaluated.
                public func \(checkoutName)(for context: EvaluationContext = EvaluationContext()) -> Bool {
                    client.bool("\(checkout)", default: false, context: context)
                }
            """), "\(source)")
        #expect(source.contains("public func \(FlagNames.accessor(for: banner))(for context: EvaluationContext = EvaluationContext()) -> String {"))
        #expect(source.contains("client.string(\"\(banner)\", default: \"Welcome\", context: context)"))
        #expect(!source.contains(FlagNames.accessor(for: archived)), "an archived flag has no accessor")

        let unknown = try await server.clutch("generate", "swift", "--env", "nowhere")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("error: unknown environment 'nowhere'"), "\(unknown)")
        let noEnv = try await server.clutch("generate", "swift")
        #expect(noEnv.status == 2, "\(noEnv)")
    }

    @Test("an accessor carries the flag's kind and owner as doc comments, escapes keywords and refuses two keys of one name")
    func kindOwnerKeywordsAndCollisions() throws {
        let flag = Flag(key: "default", type: .integer, description: "Line one\nLine \u{1B}two", variants: [
            Variant(key: "small", value: 3), Variant(key: "large", value: 30),
        ], offVariant: "small", environments: ["production": FlagState(enabled: true, default: .variant("large"))])
        let source = try SwiftAccessors.generate([SwiftAccessors.Entry(flag: flag, kind: "operational", owner: "Ada <ada@example.com>")], environment: "production")
        #expect(source.contains("""
                /// Line one
                /// Line  two
                ///
                /// - Kind: operational
                /// - Owner: Ada <ada@example.com>
                /// - Flag: `default` (integer); 30 when it cannot be evaluated.
                public func `default`(for context: EvaluationContext = EvaluationContext()) -> Int {
                    client.integer("default", default: 30, context: context)
            """), "\(source)")
        #expect(throws: GenerateError.self) {
            try SwiftAccessors.generate([SwiftAccessors.Entry(flag: Flag(key: "new-checkout")), SwiftAccessors.Entry(flag: Flag(key: "new_checkout"))], environment: "production")
        }
        #expect(FlagNames.accessor(for: "2fa.login") == "flag2faLogin")
    }

    /// Costs two `swift build` runs of a two-file package against the already built SDK modules
    /// (about 10 to 30 s on 2 busy cores): tagged `swiftBuild`.
    @Test(
        "a generated file compiles against the SDK, and archiving a flag breaks the call site that still reads it",
        .tags(.swiftBuild), .timeLimit(.minutes(5)))
    func generatedFileCompilesAndArchivingBreaksTheCallSite() async throws {
        let server = try await TestServer.shared.get()
        let kept = uniqueKey("kept")
        let retired = uniqueKey("retired")
        for key in [kept, retired] { #expect(try await server.clutch("flags", "create", key).status == 0) }
        let package = try SwiftPackage()
        defer { package.remove() }
        try package.write("Checkout.swift", """
            import Clutch

            func checkout(_ client: ClutchClient, _ context: EvaluationContext) -> Bool {
                client.flags.\(FlagNames.accessor(for: kept))(for: context) && client.flags.\(FlagNames.accessor(for: retired))(for: context)
            }
            """)
        let flagsFile = package.sources.appendingPathComponent("Flags.swift").path

        let first = try await server.clutch("generate", "swift", "--env", "production", "--out", flagsFile)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("accessors for production to \(flagsFile)"), "\(first)")
        let built = try await package.build()
        #expect(built.status == 0, "the generated file compiles: \(built.stdout)\(built.stderr)")

        #expect(try await server.clutch("flags", "archive", retired).status == 0)
        #expect(try await server.clutch("generate", "swift", "--env", "production", "--out", flagsFile).status == 0)
        let broken = try await package.build()
        #expect(broken.status != 0, "the call site of an archived flag no longer compiles")
        let output = broken.stdout + broken.stderr
        #expect(output.contains("Checkout.swift"), "\(output)")
        #expect(output.contains("has no member '\(FlagNames.accessor(for: retired))'"), "\(output)")
    }
}

/// A package of one library target in a temporary directory, compiled with `swift build`
/// against the SDK modules this package's build already made (`-I .build/debug/Modules` and
/// their C module maps): nothing of the SDK or its dependencies is resolved or built again.
struct SwiftPackage {
    let root: URL
    var sources: URL { root.appendingPathComponent("Sources/App") }

    init() throws {
        let binary = URL(fileURLWithPath: try ClutchBinary.require())
        let debug = binary.deletingLastPathComponent()
        var flags = ["-I", debug.appendingPathComponent("Modules").path]
        let fileManager = FileManager.default
        let built = (try? fileManager.contentsOfDirectory(atPath: debug.path)) ?? []
        var maps = built.filter { $0.hasSuffix(".build") }.map { debug.appendingPathComponent("\($0)/module.modulemap").path }
        // The C modules that ship their own map (swift-atomics' shims and the like), in the checkouts beside the build.
        var up = debug
        for _ in 0..<3 {
            up = up.deletingLastPathComponent()
            let checkouts = up.appendingPathComponent("checkouts")
            guard let packages = try? fileManager.contentsOfDirectory(atPath: checkouts.path) else { continue }
            for package in packages {
                let sources = checkouts.appendingPathComponent("\(package)/Sources")
                for target in (try? fileManager.contentsOfDirectory(atPath: sources.path)) ?? [] {
                    maps.append(sources.appendingPathComponent("\(target)/include/module.modulemap").path)
                }
            }
            break
        }
        for map in maps.sorted() where fileManager.fileExists(atPath: map) { flags += ["-Xcc", "-fmodule-map-file=\(map)"] }

        root = fileManager.temporaryDirectory.appendingPathComponent("clutch-generated-\(UUID().uuidString)")
        try fileManager.createDirectory(at: root.appendingPathComponent("Sources/App"), withIntermediateDirectories: true)
        let quoted = flags.map { "\"\($0)\"" }.joined(separator: ", ")
        try Data("""
            // swift-tools-version: 6.0
            import PackageDescription

            let package = Package(
                name: "GeneratedFlagsCheck",
                targets: [.target(name: "App", swiftSettings: [.unsafeFlags([\(quoted)])])]
            )

            """.utf8).write(to: root.appendingPathComponent("Package.swift"))
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: sources.appendingPathComponent(name))
    }

    /// `swift build` of the package, without waiting on this process's threads.
    func build() async throws -> Subprocess.Outcome {
        let environment = ProcessInfo.processInfo.environment
        return try await Subprocess.run(
            ["swift", "build", "--package-path", root.path],
            environment: ["PATH": environment["PATH"] ?? "/usr/bin:/bin", "HOME": environment["HOME"] ?? root.path],
            timeout: .seconds(240))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
