import Foundation

extension CodingUserInfoKey {
    /// Set to `true` in a decoder's `userInfo` to refuse JSON object keys a type does not know
    /// (``ClutchJSON/strictDecoder()``). Admin API bodies are decoded so: a misspelled field is
    /// an error naming it, not a silently ignored default. Snapshots are not, so that SDKs keep
    /// reading snapshots of newer servers.
    public static let refuseUnknownKeys = CodingUserInfoKey(rawValue: "clutch.refuseUnknownKeys")!
}

/// Any JSON object key.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// When the decoder refuses unknown keys (see ``CodingUserInfoKey/refuseUnknownKeys``),
    /// throws `DecodingError.dataCorrupted` at the first key of the object being decoded that
    /// `Keys` does not name. Call it at the top of `init(from:)`.
    public func refuseUnknownKeys<Keys: CodingKey>(_ keys: Keys.Type) throws {
        // Called for every object decoded: the common case (not asked to refuse) stays cheap.
        if userInfo.isEmpty { return }
        try checkKeys(keys)
    }

    private func checkKeys<Keys: CodingKey>(_ keys: Keys.Type) throws {
        guard userInfo[.refuseUnknownKeys] as? Bool == true,
              let container = try? container(keyedBy: AnyCodingKey.self)
        else { return }
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where Keys(stringValue: key.stringValue) == nil {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "unknown field '\(key.stringValue)'")
        }
    }
}

extension ClutchJSON {
    /// A decoder that refuses unknown object keys, for bodies written by people and scripts.
    public static func strictDecoder() -> JSONDecoder {
        let decoder = decoder()
        decoder.userInfo[.refuseUnknownKeys] = true
        return decoder
    }
}
