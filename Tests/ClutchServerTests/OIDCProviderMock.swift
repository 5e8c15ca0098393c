import Foundation
import ProcessTestSupport
import TestSupport

/// A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock (PyPI, installed
/// by `scripts/ensure-deps.sh test`) run by `oidc_provider.py` on 127.0.0.1 with a port of its own.
/// It requires a nonce, signs ID tokens with RS256 and publishes its JWKS; `setUser` sets the
/// claims its sign-in form gives a subject (`PUT /users/{sub}`), and ``signIn(at:subject:)``
/// submits that form as a person would.
final class OIDCProviderMock: Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("oidc_provider.py").path

    /// Whether the provider can run here (the tests skip, saying so, where it is not installed).
    static let isInstalled = pythonCanImport("oidc_provider_mock, werkzeug")

    let port: Int
    private let process: Subprocess

    /// The issuer: what discovery names and every ID token carries as `iss`.
    var issuer: String { "http://127.0.0.1:\(port)" }

    init() async throws {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("oidc-provider-\(UUID().uuidString).out").path
        process = try Subprocess(["/usr/bin/env", "python3", Self.script], output: .file(outputPath), error: .file(outputPath + ".err"))
        port = try await announcedPort(of: process, outputPath: outputPath, what: "the OpenID provider")
    }

    /// Sets the claims the provider puts in `subject`'s ID token (`email`, `name`, `groups`…).
    func setUser(_ subject: String, claims: String) async throws {
        let answer = try await ConsoleClient(port: port).send(
            "PUT", "/users/\(subject)", body: claims, headers: ["Content-Type": "application/json"])
        guard answer.status == 204 else { throw TestFailure("PUT /users/\(subject) answered \(answer.status): \(answer.body)") }
    }

    /// Opens the provider's authorization URL, then submits its sign-in form for `subject`; the
    /// provider's answer: a redirect back to the client with `code` and `state` (or an error).
    func signIn(at authorizationURL: String, subject: String) async throws -> ConsoleClient.Answer {
        let prefix = issuer
        guard authorizationURL.hasPrefix(prefix + "/") else { throw TestFailure("not this provider's URL: \(authorizationURL)") }
        let path = String(authorizationURL.dropFirst(prefix.count))
        let client = ConsoleClient(port: port)
        let form = try await client.get(path)
        guard form.status == 200, form.body.contains(#"name="sub""#) else {
            throw TestFailure("the provider's sign-in form answered \(form.status): \(form.body.prefix(300))")
        }
        return try await client.post(path, form: [("sub", subject)], origin: .some(nil))
    }

    func stop() {
        process.forceStop()
    }

    deinit { stop() }
}
