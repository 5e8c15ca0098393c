import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// What the console writes into pages: escaping by Unicode scalar, every template escaping,
/// hostile flag data rendered as text, and a large list.
@Suite struct ConsoleRenderingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", ""),
        ("a & b", "a &amp; b"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (#""><img src=x onerror=alert(1)>"#, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        ("it's", "it&#39;s"),
        // A quote followed by a combining acute accent is one grapheme cluster: escaping by
        // Character misses it, by scalar it does not.
        ("\"\u{301} onmouseover=alert(1) x=\"", "&quot;\u{301} onmouseover=alert(1) x=&quot;"),
        ("'\u{301}", "&#39;\u{301}"),
        ("<\u{338}", "&lt;\u{338}"),
        ("&\u{20DD}amp;", "&amp;\u{20DD}amp;"),
        ("\u{65}\u{301}", "\u{65}\u{301}"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("👩‍💻 <b>", "👩‍💻 &lt;b&gt;"),
    ])
    func escapesByScalar(input: String, expected: String) {
        let escaped = ConsoleHTML.escape(input)
        #expect(Array(escaped.unicodeScalars) == Array(expected.unicodeScalars))
        // No special character survives, whatever follows it.
        #expect(!escaped.unicodeScalars.contains { "<>\"'".unicodeScalars.contains($0) })
    }

    /// The library's own HTML escaping misses the combining-mark case; the console's does not.
    @Test func theConsoleContentTypeIsWhatTemplatesUse() throws {
        let pages = try ConsolePages()
        for (name, text) in ConsolePages.templates {
            #expect(text.hasPrefix("{{% CONTENT_TYPE: \(ConsoleHTML.contentTypeName) }}"), "\(name) must declare the console's escaping")
            // The one exception: the flag list's rows (in its results), escaped by ConsoleFlagRows (tested below).
            let unescaped = text.replacingOccurrences(of: "{{{rowsHTML}}}", with: name == "flagResults" ? "" : "{{{rowsHTML}}}")
            #expect(!unescaped.contains("{{{") && !unescaped.contains("{{&"), "\(name) must not write unescaped values")
        }
        let html = pages.library.render(["title": "t", "heading": "\"\u{301} x=\"", "message": "<i>", "back": "/", "backText": "b"], withTemplate: "error") ?? ""
        #expect(html.contains("&quot;\u{301} x=&quot;"))
        #expect(!html.contains("<i>"))
    }

    /// The flag list's rows, written without a template, escape every value they show.
    @Test func theFlagListRowsEscapeEveryValue() {
        for (payload, safe) in zip(Self.payloads, Self.escaped) {
            let html = ConsoleFlagRows.html([ConsoleFlagRows.Row(
                key: payload, url: "/ui/flags/" + payload, description: payload, tags: [payload, "ok"], states: [true, false],
                stage: .stale, stageReason: payload, lastEvaluated: payload)])
            if payload != safe { #expect(!html.contains(payload), "\(payload)") }
            #expect(html.components(separatedBy: safe).count - 1 >= 6, "every field shows the text, escaped: \(html)")
            #expect(!Self.containsRawQuoteBeforeCombiningMark(html))
            #expect(html.contains(#"<td class="on">On</td><td class="off">Off</td>"#), "state in words")
        }
    }

    static let payloads = [
        "<script>alert(1)</script>",
        #""><img src=x onerror=alert(1)>"#,
        "\"\u{301} onmouseover=alert(1) x=\"",
        "javascript:alert(1)",
    ]
    static let escaped = [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
        "&quot;\u{301} onmouseover=alert(1) x=&quot;",
        "javascript:alert(1)",
    ]

    @Test func hostileDescriptionsAndMessagesRenderAsText() async throws {
        try await TestServer.with { server in
            let description = Self.payloads.joined(separator: " | ")
            let body = try JSONSerialization.data(withJSONObject: [
                "key": "xss", "type": "boolean", "description": description, "tags": ["web"],
            ])
            let created = try await server.send("POST", "/api/v1/flags", data: body)
            #expect(created.status == 201, "\(created.text)")
            let client = try await ConsoleTests.signIn(server)
            let token = try await ConsoleTests.csrf(client)
            let toggled = try await client.post("/ui/flags/xss/toggle", form: [("csrf", token), ("env", "staging"), ("to", "on"), ("message", description)])
            #expect(toggled.status == 303)

            for path in ["/ui/flags?env=staging", "/ui/flags/xss?env=staging", "/ui/flags?env=staging&q=" + ConsoleClient.encode("<script>")] {
                let page = try await client.get(path)
                #expect(page.status == 200, "\(path)")
                for (raw, safe) in zip(Self.payloads, Self.escaped) {
                    #expect(page.body.contains(safe), "\(path) should show \(safe)")
                    if raw != safe { #expect(!page.body.contains(raw), "\(path) must not contain \(raw)") }
                }
                #expect(!Self.containsRawQuoteBeforeCombiningMark(page.body), "\(path)")
                #expect(!page.body.contains("href=\"javascript:"))
            }
            // The message shows on the flag page's history.
            let flagPage = try await client.get("/ui/flags/xss?env=staging")
            #expect(flagPage.body.components(separatedBy: "&lt;script&gt;alert(1)&lt;/script&gt;").count >= 3, "description and message")
        }
    }

    @Test func theFlagPageShowsWhereTheFlagIsReferencedAndWhereNoMore() async throws {
        try await TestServer.with { server in
            #expect(try await server.createFlag(#"{"key": "new-checkout"}"#).status == 201)
            let client = try await ConsoleTests.signIn(server)
            #expect(try await client.get("/ui/flags/new-checkout").body.contains("No uploaded scan references this flag."))

            let scan = #"{"repo": "app-ios", "branch": "main", "commit": "1a2b3c4", "references": [{"flag": "new-checkout", "path": "Sources/Checkout.swift", "line": 12, "context": "if flags.newCheckout(for: user) && a < b {", "alias": "newCheckout"}]}"#
            #expect(try await server.send("POST", "/api/v1/code-refs", body: scan).status == 200)
            #expect(try await server.send("POST", "/api/v1/code-refs", body: scan.replacingOccurrences(of: "\"main\"", with: "\"release\"")).status == 200)
            let referenced = try await client.get("/ui/flags/new-checkout")
            #expect(referenced.body.contains("Referenced in 2 place(s)"), "\(referenced.body)")
            #expect(referenced.body.contains("<code>Sources/Checkout.swift:12</code>"))
            #expect(referenced.body.contains("<code>if flags.newCheckout(for: user) &amp;&amp; a &lt; b {</code>"), "the context escaped")

            // The next scan of main no longer has it: the page says where it went.
            #expect(try await server.send(
                "POST", "/api/v1/code-refs", body: #"{"repo": "app-ios", "branch": "main", "commit": "3f2a1c0", "references": []}"#).status == 200)
            let removed = try await client.get("/ui/flags/new-checkout")
            #expect(removed.body.contains("Referenced in 1 place(s)"))
            #expect(removed.body.contains("removed from app-ios@main in 3f2a1c0"), "\(removed.body)")
        }
    }

    /// A raw `"` scalar directly followed by U+0301 anywhere in the page.
    static func containsRawQuoteBeforeCombiningMark(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        return zip(scalars, scalars.dropFirst()).contains { $0.0 == "\"" && $0.1 == "\u{301}" }
    }

    @Test func twoThousandFlagsArePagedAndSearchedByTheServer() async throws {
        try await TestServer.with { server in
            let flags = (0..<2000).map { i -> [String: Any] in
                ["key": String(format: "flag-%04d", i), "type": "boolean", "description": "Flag number \(i)", "tags": [i % 2 == 0 ? "even" : "odd"]]
            }
            let body = try JSONSerialization.data(withJSONObject: ["flags": flags])
            let imported = try await server.send("POST", "/api/v1/import", data: body, timeout: 120)
            #expect(imported.status == 200, "\(imported.text.prefix(300))")
            let client = try await ConsoleTests.signIn(server)
            // How fast is for `make bench`, not for a timed test (issue 12 keeps that open).
            let page = try await client.get("/ui/flags?env=production")
            #expect(page.status == 200)
            #expect(page.body.contains("1–100 of 2000 matching flags (2000 in all)"), "one page of 100, not 2,000 rows")
            #expect(page.body.contains("flag-0099") && !page.body.contains("flag-0100"))
            #expect(page.body.contains(#"<a href="/ui/flags?env=production&amp;page=2" rel="next">"#))
            let last = try await client.get("/ui/flags?env=production&page=20")
            #expect(last.body.contains("1901–2000 of 2000 matching flags") && last.body.contains("flag-1999"))
            #expect(last.body.contains("Page 20 of 20") && !last.body.contains("rel=\"next\""))
            #expect(last.body.contains(#"<a href="/ui/flags?env=production&amp;page=19" rel="prev">"#))
            #expect(try await client.get("/ui/flags?env=production&page=0").status == 400)
            let filtered = try await client.get("/ui/flags?env=production&tag=odd&q=" + ConsoleClient.encode("number 19") + "&state=off")
            #expect(filtered.body.contains("56 of 2000 flags"))
            // The search form as a browser sends it: `+` for the space.
            #expect(try await client.get("/ui/flags?env=production&tag=odd&q=number+19&state=off").body.contains("56 of 2000 flags"))
            // The environment switcher keeps the filters (as an escaped URL in the attribute).
            #expect(filtered.body.contains(#"href="/ui/flags?env=staging&amp;q=number%2019&amp;tag=odd&amp;state=off""#))
            // The results alone, for the search box's script: no page around them.
            let fragment = try await client.get("/ui/flags?env=production&q=NUMBER+1999&fragment=results")
            #expect(fragment.status == 200)
            #expect(fragment.body.contains("1 of 2000 flags") && fragment.body.contains("flag-1999"))
            #expect(!fragment.body.contains("<html") && !fragment.body.contains("<form"))
        }
    }
}

/// Form bodies: an ambiguous or malformed form is refused, not guessed at.
@Suite struct ConsoleFormTests {
    @Test func parsesURLEncodedFields() {
        #expect(ConsoleForm.parse("a=1&b=two+words&c=%3Cx%3E&d=") == ["a": "1", "b": "two words", "c": "<x>", "d": ""])
        #expect(ConsoleForm.parse("") == [:])
        #expect(ConsoleForm.parse("flag") == ["flag": ""])
    }

    @Test func refusesRepeatsAndBadEncoding() {
        #expect(ConsoleForm.parse("csrf=a&csrf=b") == nil)
        #expect(ConsoleForm.parse("a=%ZZ") == nil)
        #expect(ConsoleForm.parse("=x") == nil)
    }
}
