/// The admin API (`/api/v1`, docs/openapi.json): this module holds its wire model, the requests,
/// answers and records that the server encodes and the CLI decodes, so a field exists in one
/// place. It depends on ClutchCore only: no server or store code.
///
/// Written by hand rather than generated from docs/openapi.json by swift-openapi-generator:
/// the answers are the store's own records, which the server encodes without a copy into
/// generated types; the generator would add its runtime, a build plugin and OpenAPIKit to every
/// build of a 2-core machine for the admin API alone; and the hot paths would not use it
/// anyway. OFREP answers and stream events are written as bytes (`OFREPController`,
/// `SyncEvent.changeData`): a Codable OFREP answer through `JSONEncoder`, which the generator's
/// runtime uses, costs over ten times as much as writing it as bytes (`clutch-bench wire`).
/// docs/openapi.json stays the contract: `ContractCheck` validates every answer of the server's
/// tests against it, and `WireModelTests` round-trips the server's answers through these types.
public enum AdminAPI {
    /// The path every admin route is under.
    public static let path = "api/v1"
}
