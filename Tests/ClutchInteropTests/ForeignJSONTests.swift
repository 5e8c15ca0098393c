import ClutchAPI
import ClutchCore
import ClutchInterop
import Foundation
import Testing

@Suite("Foreign documents are read with the path of every value")
struct ForeignJSONTests {
    @Test("members and elements carry their path, and a problem names it")
    func paths() throws {
        let document = try ForeignJSON.parse(Data(#"{"flags": {"b": {"if": [1, {"in": ["x"]}]}, "a": {}}}"#.utf8))
        let flags = try #require(document["flags"])
        #expect(flags.members?.map(\.key) == ["a", "b"], "sorted by key")
        let branch = try #require(flags["b"]?["if"]?.elements?[1]["in"])
        #expect(branch.path == "flags.b.if[1].in")
        #expect(branch.unmapped("no such operator") == ConversionIssue(path: "flags.b.if[1].in", reason: "no such operator"))
        #expect(document.unmapped("empty").path == "$", "the whole document")
        #expect(document["missing"] == nil)
    }

    @Test("a file that is not JSON fails as a whole")
    func notJSON() {
        #expect(throws: ConversionFailure("the document is not valid JSON")) { try ForeignJSON.parse(Data("flags: {}".utf8)) }
    }
}
