import ClutchCore
import Foundation
import Testing

/// An `object` flag serves JSON objects, as OFREP's `objectFlag` schema has it: an array
/// value is refused when written, naming the variant.
@Suite("Object flag values")
struct ObjectFlagTests {
    @Test(arguments: [
        (#"{"retries": 3, "hosts": ["a", "b"]}"#, true),
        (#"{}"#, true),
        (#"["a", "b"]"#, false),
        (#""text""#, false),
    ])
    func onlyObjectsAreObjectValues(json: String, accepted: Bool) throws {
        let value = try JSONDecoder().decode(Value.self, from: Data(json.utf8))
        let flag = Flag(
            key: "config", type: .object,
            variants: [Variant(key: "v", value: value), Variant(key: "none", value: .object([:]))], offVariant: "none")
        if accepted {
            #expect(throws: Never.self) { try flag.validate() }
        } else {
            #expect(throws: ValidationError.self) { try flag.validate() }
            do {
                try flag.validate()
            } catch {
                #expect(error.path == "variants[0].value")
            }
        }
    }
}
