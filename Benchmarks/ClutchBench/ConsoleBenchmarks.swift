import ClutchCore
import Foundation
import Logging
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The web console's flag list with 2,000 flags: the whole page and a filtered search, against
/// baselines measured in the same run on the same server — the sign-in page (a trivial console
/// page through the same middleware) and the JSON flag list of the admin API (the same flags
/// read from the store, without HTML). Times are request round trips over loopback, sequential,
/// so they are the server's time plus a small constant the trivial page shows.
enum ConsoleBenchmarks {
    static let flags = 2_000
    static let rounds = 40

    /// Refuses redirects, so that the sign-in answer's cookie can be read.
    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    static func run() async {
        await BenchServer.withQuietServer(figure: "console_flag_list", run)
    }

    private static func run(_ server: BenchServer) async throws {
        let flags = Self.flags
        let documents = (0..<flags).map { i in
            #"{"key": "flag-\#(String(format: "%04d", i))", "type": "boolean", "description": "Flag number \#(i)", "tags": ["\#(i % 2 == 0 ? "even" : "odd")"]}"#
        }
        try await server.admin("POST", "api/v1/import", #"{"flags": [\#(documents.joined(separator: ","))]}"#)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        let session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }

        var login = URLRequest(url: server.base.appendingPathComponent("ui/login"))
        login.httpMethod = "POST"
        login.httpBody = Data("token=\(BenchServer.token)".utf8)
        login.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        login.setValue(server.base.absoluteString, forHTTPHeaderField: "Origin")
        let (_, answer) = try await session.data(for: login)
        guard let setCookie = (answer as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"),
            let cookie = setCookie.split(separator: ";").first.map(String.init), cookie.hasPrefix("clutch_session=")
        else { throw TestFailure("console sign-in gave no session cookie") }

        func get(_ path: String, admin: Bool = false, expect: String? = nil) async throws {
            guard let url = URL(string: server.base.absoluteString + path) else { throw TestFailure("bad path \(path)") }
            var request = URLRequest(url: url)
            if admin {
                request.setValue("Bearer \(BenchServer.token)", forHTTPHeaderField: "Authorization")
            } else {
                request.setValue(cookie, forHTTPHeaderField: "Cookie")
            }
            let (data, response) = try await session.data(for: request)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw TestFailure("GET \(path) failed") }
            if let expect, !String(decoding: data, as: UTF8.self).contains(expect) { throw TestFailure("GET \(path) lacks \(expect)") }
        }
        let cases: [(name: String, run: () async throws -> Void)] = [
            ("console_signin_page", { try await get("/ui/login") }),
            ("api_flag_list_\(flags)", { try await get("/api/v1/flags", admin: true) }),
            ("console_flag_list_\(flags)", { try await get("/ui/flags?env=production", expect: "\(flags) of \(flags) flags") }),
            ("console_flag_list_\(flags)_filtered", { try await get("/ui/flags?env=production&q=number+19&tag=odd&state=off", expect: "56 of \(flags) flags") }),
        ]
        for item in cases { try await item.run() }  // warm up
        var samples = [[Double]](repeating: [], count: cases.count)
        for _ in 0..<rounds {
            // Interleaved, so that a slow moment of a shared machine falls on every case alike.
            for (index, item) in cases.enumerated() {
                let start = ContinuousClock.now
                try await item.run()
                samples[index].append(Bench.seconds(ContinuousClock.now - start) * 1000)
            }
        }
        let p50 = samples.map { Bench.percentile($0, 0.5) }
        for (index, item) in cases.enumerated() {
            Bench.report("\(item.name)_p50", p50[index], "ms")
        }
        Bench.report("console_flag_list_\(flags)_p99", Bench.percentile(samples[2], 0.99), "ms")
        Bench.report("console_flag_list_\(flags)_vs_api_flag_list_ratio", p50[2] / p50[1], "x")
        Bench.report("console_flag_list_\(flags)_filtered_vs_api_flag_list_ratio", p50[3] / p50[1], "x")
        Bench.report("console_flag_list_\(flags)_vs_signin_page_ratio", p50[2] / p50[0], "x")
    }
}
