import ClutchCore
import Foundation
import Logging
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The web console's flag list with 10,000 flags: its first page (100 rows, paged by the store;
/// issue 27's goal is under 300 ms), a filtered search, and a search as the search box's script
/// sends it (the results fragment) — against baselines measured in the same run on the same
/// server: the sign-in page (a trivial console page through the same middleware) and the JSON
/// flag list of the admin API (every flag, unpaged, and one page). Times are request round trips
/// over loopback, sequential, so they are the server's time plus a small constant the trivial
/// page shows.
enum ConsoleBenchmarks {
    static let flags = 10_000
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
        // "Flag number 19…" and odd (every flag is off): 19, 191…199, 1901…1999.
        let filtered = (0..<flags).filter { $0 % 2 == 1 && String($0).hasPrefix("19") }.count
        let cases: [(name: String, run: () async throws -> Void)] = [
            ("console_signin_page", { try await get("/ui/login") }),
            ("api_flag_list_\(flags)", { try await get("/api/v1/flags", admin: true) }),
            ("console_flag_list_\(flags)_first_page", { try await get("/ui/flags?env=production", expect: "1–100 of \(flags) matching flags") }),
            ("console_flag_list_\(flags)_filtered", {
                try await get("/ui/flags?env=production&q=number+19&tag=odd&state=off", expect: "\(filtered) of \(flags) flags")
            }),
            ("console_flag_search_\(flags)", { try await get("/ui/flags?env=production&q=number+7777&fragment=results", expect: "1 of \(flags) flags") }),
            ("api_flag_page_\(flags)", { try await get("/api/v1/flags?limit=100&q=number+77", admin: true) }),
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
        Bench.report("console_flag_list_\(flags)_first_page_p99", Bench.percentile(samples[2], 0.99), "ms")
        Bench.report("console_flag_search_\(flags)_p99", Bench.percentile(samples[4], 0.99), "ms")
        Bench.report("console_flag_list_\(flags)_first_page_vs_api_flag_list_ratio", p50[2] / p50[1], "x")
        Bench.report("console_flag_list_\(flags)_first_page_vs_signin_page_ratio", p50[2] / p50[0], "x")
    }
}
