// swift-tools-version: 6.0
import PackageDescription

// Dependencies point inward: ClutchCore (pure engine) <- ClutchAPI (the admin API's wire types)
// <- ClutchStore (SQLite, PostgreSQL) <- ClutchServer (HTTP) <- ClutchCLI (the `clutch` executable).
// The SDK (`Clutch`) depends on ClutchCore, ClutchProtocol (the wire protocol it shares
// with the server) and ClutchAPI (for the kinds of key) only.
let package = Package(
    name: "Clutch",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ClutchCore", targets: ["ClutchCore"]),
        .library(name: "Clutch", targets: ["Clutch"]),
        .executable(name: "clutch", targets: ["ClutchCLI"]),
        .executable(name: "clutch-bench", targets: ["ClutchBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // Up to 4.x: jwt-kit (single sign-on's ID tokens) needs swift-crypto 4.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Single sign-on: an OpenID provider's ID token checked against its JWKS (server only, never the SDK).
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    ],
    targets: [
        .target(
            name: "ClutchCore",
            // Persistent sets: a cohort's members change without copying the millions unchanged.
            dependencies: [.product(name: "HashTreeCollections", package: "swift-collections")]
        ),
        // The server↔SDK wire protocol (stream events, usage report, entity tags): one
        // definition that both sides import.
        .target(name: "ClutchProtocol", dependencies: ["ClutchCore"]),
        // The admin API's requests and responses (`/api/v1`), as the server sends them and the CLI
        // reads them: one definition, no server or store code.
        .target(name: "ClutchAPI", dependencies: ["ClutchCore"]),
        // Other systems' flag formats (flagd, LaunchDarkly, Unleash) to and from Clutch's document:
        // pure conversions, no I/O; the server imports what they produce as it imports its own.
        // Yams: YAMLPosition, where in a hand-written YAML file a fault is.
        .target(name: "ClutchInterop", dependencies: ["ClutchCore", "ClutchAPI", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "ClutchStore",
            dependencies: [
                "ClutchCore",
                // Its records are the API's (re-exported: whoever imports the store has them).
                "ClutchAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The PostgreSQL store (Postgres/): several replicas on one database. The SDK
                // and ClutchCore never link ClutchStore.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Why a connection attempt failed (refused, unresolvable host), named in one line.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                // Passwords: scrypt, a memory-hard KDF (PasswordHash).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ClutchServer",
            dependencies: [
                "ClutchCore",
                "ClutchAPI",
                "ClutchProtocol",
                "ClutchStore",
                "ClutchInterop",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // SIGTERM drains before the service group shuts down (RunClutchServer).
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                // Persistent dictionaries: the next live state shares what a change left alone.
                .product(name: "HashTreeCollections", package: "swift-collections"),
                // The web console's templates (Console/): HTML rendered on the server.
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The webhook dispatcher resolves targets itself (getaddrinfo on NIO's thread pool)
                // to check each address before connecting to it.
                .product(name: "NIOPosix", package: "swift-nio"),
                // Single sign-on (Auth/OIDC): the ID token's signature against the provider's JWKS.
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            // docs/openapi.json, the API's one description, compiled in and served unchanged.
            plugins: ["EmbedOpenAPI"]
        ),
        .target(
            name: "Clutch",
            dependencies: [
                "ClutchCore",
                "ClutchProtocol",
                // SDKKeyKind: the two kinds of key and their prefixes, as the server defines them.
                "ClutchAPI",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
                // The transport: NIO-based, streams response bodies without spinning while idle.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // ClutchClient is a `Service` that a ServiceGroup runs and shuts down gracefully.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Code references and typed flags: the scanner behind `clutch refs scan` (git's file list,
        // one multi-pattern pass per file, files in parallel) and the accessor names `clutch
        // generate swift` writes and the scanner recognises. No server or store code.
        .target(
            name: "ClutchRefs",
            // ClutchInterop: YAMLPosition for `.clutch/refs.yaml`'s errors.
            dependencies: ["ClutchCore", "ClutchAPI", "ClutchInterop", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "ClutchCLI",
            dependencies: [
                "ClutchCore",
                // What it sends and reads: the server's own types.
                "ClutchAPI",
                // `clutch refs scan`, `clutch generate swift`.
                "ClutchRefs",
                "ClutchServer",
                // `clutch migrate` migrates a database without starting a server.
                "ClutchStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                // The admin API client: the HTTP client the SDK uses (no FoundationNetworking).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Build tool: turns docs/openapi.json into Swift source for ClutchServer.
        .executableTarget(name: "ClutchEmbed"),
        .plugin(name: "EmbedOpenAPI", capability: .buildTool(), dependencies: ["ClutchEmbed"]),
        .executableTarget(
            name: "ClutchBench",
            // ClutchServer: the SDK benchmark measures admin change → SDK value against an in-process server.
            // PostgresTestSupport: the store benchmark starts its own PostgreSQL, as the tests do.
            // TestSupport: the tests' seeded generator drives the release simulation.
            // ClutchAPI, ClutchProtocol: what the wire types and stream events cost to write.
            // ClutchRefs, ProcessTestSupport: the code reference scan over a generated git tree.
            dependencies: ["ClutchCore", "ClutchAPI", "ClutchProtocol", "Clutch", "ClutchServer", "ClutchStore", "ClutchRefs", "ProcessTestSupport",
                "PostgresTestSupport",
                "TestSupport",
                // The replica benchmarks and `drill`: replicas behind HAProxy, as ReplicaTests runs them.
                "ReplicaDrillSupport", .product(name: "Logging", package: "swift-log"),
                // Hummingbird: the webhook benchmark's receiver.
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/ClutchBench"
        ),
        // SDK examples (sdk-examples/), built by `make test` like everything else.
        .executableTarget(
            name: "ClutchExampleCLI",
            dependencies: ["Clutch", .product(name: "Logging", package: "swift-log")],
            path: "sdk-examples/cli-app",
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "ClutchExampleDevice",
            dependencies: ["Clutch", .product(name: "Logging", package: "swift-log")],
            path: "sdk-examples/device-app",
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "ClutchExampleCheckout",
            dependencies: ["Clutch", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            path: "sdk-examples/checkout-service",
            exclude: ["README.md"]
        ),
        .testTarget(name: "ClutchCoreTests", dependencies: ["ClutchCore", "TestSupport"]),
        .testTarget(name: "ClutchProtocolTests", dependencies: ["ClutchProtocol", "ClutchCore"]),
        .testTarget(name: "ClutchInteropTests", dependencies: ["ClutchInterop", "ClutchAPI", "ClutchCore", "TestSupport"]),
        // What every test target shares: the one failure type, the seeded generator, `eventually`.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // How tests start programs (never Foundation's Process: see Subprocess.swift).
        .target(name: "ProcessTestSupport", dependencies: ["TestSupport"], path: "Tests/ProcessTestSupport"),
        // A real PostgreSQL server (Debian's initdb/postgres) in a temporary directory, for tests.
        .target(name: "PostgresTestSupport", dependencies: ["ProcessTestSupport", "TestSupport"], path: "Tests/PostgresTestSupport"),
        // The tests' URLSession calls, safe from a Linux deadlock when a test cancels a task.
        .target(name: "HTTPTestSupport", path: "Tests/HTTPTestSupport"),
        // The real server for tests: in process on 127.0.0.1 with an ephemeral port over SQLite or a
        // test PostgreSQL (TestServer), or `clutch serve` as a process (ServeProcess).
        .target(
            name: "ServerTestSupport",
            dependencies: [
                "ClutchServer", "ClutchCore", "TestSupport", "PostgresTestSupport", "ProcessTestSupport", "HTTPTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ServerTestSupport"
        ),
        // The rolling-upgrade drill: `clutch serve` replicas on PostgreSQL behind Debian's HAProxy,
        // OFREP load, SDK clients and streams through it. Run by ReplicaTests and `clutch-bench drill`.
        .target(
            name: "ReplicaDrillSupport",
            dependencies: [
                "PostgresTestSupport", "ProcessTestSupport", "TestSupport", "Clutch", .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                // StandInReplica: a server that dies mid-request, for the proxy's retry rules.
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/ReplicaDrillSupport"
        ),
        .testTarget(
            name: "ClutchStoreTests",
            dependencies: ["ClutchStore", "ClutchCore", "PostgresTestSupport", "ProcessTestSupport", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "ClutchServerTests",
            dependencies: [
                "ClutchServer", "ClutchStore", "ClutchAPI", "ClutchCore", "ClutchInterop", "PostgresTestSupport", "ReplicaDrillSupport",
                "HTTPTestSupport",
                "ProcessTestSupport", "ServerTestSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                // OIDCVerifierTests sign ID tokens with keys of their own.
                .product(name: "JWTKit", package: "jwt-kit"),
                // StreamHeartbeatTests drive the client stream's channel handler on an EmbeddedChannel.
                .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // run by PythonOFREPTests, OFREPEventStreamTests, ConsoleBrowserTests, SignInTests, OIDCTests, FlagdInteropTests,
            // VendorInteropTests
            exclude: [
                "ofrep_client.py", "ofrep_events_client.py", "console_browser.py", "console_story.py", "console_people.py", "console_week.py",
                "webhook_receiver.py", "oidc_provider.py", "flagd_resolver.py", "vendor_eval.py", "console_sso.py", "console_axe.py",
                "console_requests.py", "console_timezone.py",
            ]
        ),
        // Runs the real `clutch` binary; depending on the executable makes `swift build --build-tests` build it.
        .testTarget(
            name: "ClutchCLITests",
            // ClutchRefs: the scanner's matcher and names, tested beside the `clutch refs` commands.
            dependencies: ["ClutchCLI", "ClutchCore", "ClutchRefs", "ClutchServer", "ProcessTestSupport", "ServerTestSupport", "TestSupport"]
        ),
        .testTarget(
            name: "ClutchTests",
            dependencies: [
                "Clutch", "ClutchCore", "ClutchProtocol", "ClutchServer", "ClutchStore", "ProcessTestSupport", "ServerTestSupport",
                "TestSupport", .product(name: "Logging", package: "swift-log"),
                // The client as a service in a ServiceGroup; an application's own HTTP client.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // A scripted SSE server for protocol tests (silent streams, refused streams, 304s).
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
