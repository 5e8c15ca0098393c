import ClutchCore
import Foundation
import Testing

@Suite("Member instructions")
struct MemberInstructionTests {
    @Test(arguments: [
        ([MemberInstruction.addMembers(["b", "a"])], ["a", "b"], [String]()),
        ([.addMembers(["a"]), .removeMembers(["a"])], [], ["a"]),
        ([.removeMembers(["a"]), .addMembers(["a"])], ["a"], []),
        ([.addMembers(["a", "a"]), .removeMembers(["c"])], ["a"], ["c"]),
        // NFC and NFD "é" are two members: compared by their bytes.
        ([.addMembers(["\u{E9}"]), .removeMembers(["e\u{301}"])], ["\u{E9}"], ["e\u{301}"]),
    ])
    func lastInstructionDecides(_ instructions: [MemberInstruction], added: [String], removed: [String]) throws {
        let change = try MemberInstruction.netChange(instructions)
        #expect(change.added.map { Array($0.utf8) } == added.map { Array($0.utf8) })
        #expect(change.removed.map { Array($0.utf8) } == removed.map { Array($0.utf8) })
    }

    @Test func anEmptyMemberIsNamedByIndex() {
        #expect(throws: ValidationError(path: "instructions[1].values[2]", "a member must not be empty")) {
            try MemberInstruction.netChange([.addMembers(["a"]), .removeMembers(["b", "c", ""])])
        }
    }

    @Test(arguments: [
        (#"{"kind": "addMembers", "values": ["a"]}"#, MemberInstruction.addMembers(["a"]) as MemberInstruction?),
        (#"{"kind": "removeMembers", "values": []}"#, .removeMembers([])),
        (#"{"kind": "addMember", "values": ["a"]}"#, nil),
        (#"{"kind": "addMembers", "values": ["a"], "variant": "on"}"#, nil),
        (#"{"kind": "addMembers"}"#, nil),
    ])
    func decoding(_ json: String, expected: MemberInstruction?) throws {
        let decoded = try? JSONDecoder().decode(MemberInstruction.self, from: Data(json.utf8))
        #expect(decoded == expected)
        if let expected {
            let again = try JSONDecoder().decode(MemberInstruction.self, from: try JSONEncoder().encode(expected))
            #expect(again == expected)
        }
    }
}
