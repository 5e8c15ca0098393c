import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("POST /api/v1/import?format=: one front door for every format")
struct ImportFormatTests {
    @Test("format=clutch is the document as written; an unknown format is refused naming the field")
    func clutchFormat() async throws {
        try await TestServer.with { server in
            let document = #"{"flags": [{"key": "from-clutch"}]}"#
            let dry = try await server.send("POST", "/api/v1/import?dryRun=true&format=clutch", body: document)
            #expect(dry.status == 200, "\(dry.text)")
            #expect(dry["changes[0].action"] == .string("create"))
            #expect(dry["unmapped"] == nil, "a Clutch document's answer is unchanged")
            let unknown = try await server.send("POST", "/api/v1/import?format=xml", body: document)
            #expect(unknown.status == 400)
            #expect(unknown.errorField == "format", "\(unknown.text)")
            #expect(try await server.send("GET", "/api/v1/flags/from-clutch").status == 404)
        }
    }
}
