extension ClutchClient {
    /// The value of boolean flag `key` for `context`, or `defaultValue` if it cannot be
    /// evaluated. In device mode `context` is ignored (the server answered for the client's
    /// context: see ``setContext(_:timeout:)``).
    public func bool(_ key: String, default defaultValue: Bool, context: EvaluationContext = EvaluationContext()) -> Bool {
        value(key, .boolean, defaultValue, context, Self.bool)
    }

    public func string(_ key: String, default defaultValue: String, context: EvaluationContext = EvaluationContext()) -> String {
        value(key, .string, defaultValue, context, Self.string)
    }

    public func integer(_ key: String, default defaultValue: Int, context: EvaluationContext = EvaluationContext()) -> Int {
        value(key, .integer, defaultValue, context, Self.integer)
    }

    public func double(_ key: String, default defaultValue: Double, context: EvaluationContext = EvaluationContext()) -> Double {
        value(key, .double, defaultValue, context, Self.double)
    }

    /// The value of an object flag (a JSON object or array).
    public func object(_ key: String, default defaultValue: Value, context: EvaluationContext = EvaluationContext()) -> Value {
        value(key, .object, defaultValue, context, Self.object)
    }

    /// Like ``bool(_:default:context:)``, with the variant, reason, error and metadata.
    public func boolDetails(_ key: String, default defaultValue: Bool, context: EvaluationContext = EvaluationContext()) -> FlagEvaluationDetails<Bool> {
        details(key, .boolean, defaultValue, context, Self.bool)
    }

    public func stringDetails(_ key: String, default defaultValue: String, context: EvaluationContext = EvaluationContext()) -> FlagEvaluationDetails<String> {
        details(key, .string, defaultValue, context, Self.string)
    }

    public func integerDetails(_ key: String, default defaultValue: Int, context: EvaluationContext = EvaluationContext()) -> FlagEvaluationDetails<Int> {
        details(key, .integer, defaultValue, context, Self.integer)
    }

    public func doubleDetails(_ key: String, default defaultValue: Double, context: EvaluationContext = EvaluationContext()) -> FlagEvaluationDetails<Double> {
        details(key, .double, defaultValue, context, Self.double)
    }

    public func objectDetails(_ key: String, default defaultValue: Value, context: EvaluationContext = EvaluationContext()) -> FlagEvaluationDetails<Value> {
        details(key, .object, defaultValue, context, Self.object)
    }

    // MARK: Implementation

    @inline(__always)
    private func value<T>(_ key: String, _ type: FlagType, _ defaultValue: T, _ context: EvaluationContext, _ extract: (Value) -> T?) -> T {
        let (result, _) = core.evaluate(key, as: type, context: context)
        guard result.errorCode == nil, let served = result.value, let typed = extract(served) else { return defaultValue }
        return typed
    }

    private func details<T: Sendable>(
        _ key: String, _ type: FlagType, _ defaultValue: T, _ context: EvaluationContext, _ extract: (Value) -> T?
    ) -> FlagEvaluationDetails<T> {
        let (result, source) = core.evaluate(key, as: type, context: context)
        let metadata = source?.metadata(for: key) ?? [:]
        if let code = result.errorCode {
            return FlagEvaluationDetails(
                flagKey: key, value: defaultValue, reason: .error, errorCode: code,
                errorMessage: result.errorMessage, flagMetadata: metadata)
        }
        guard let served = result.value, let typed = extract(served) else {
            return FlagEvaluationDetails(
                flagKey: key, value: defaultValue, reason: .error, errorCode: .typeMismatch,
                errorMessage: "flag '\(key)' served \(result.value?.kindName ?? "nothing"), not a \(type.rawValue)",
                flagMetadata: metadata)
        }
        return FlagEvaluationDetails(flagKey: key, value: typed, variant: result.variant, reason: result.reason, flagMetadata: metadata)
    }

    private static func bool(_ value: Value) -> Bool? {
        if case .bool(let b) = value { return b }
        return nil
    }

    private static func string(_ value: Value) -> String? {
        if case .string(let s) = value { return s }
        return nil
    }

    private static func integer(_ value: Value) -> Int? {
        switch value {
        case .integer(let i): return Int(exactly: i)
        case .double(let d): return d.rounded() == d ? Int(exactly: d) : nil
        default: return nil
        }
    }

    private static func double(_ value: Value) -> Double? {
        value.numberValue
    }

    private static func object(_ value: Value) -> Value? {
        switch value {
        case .object, .array: return value
        default: return nil
        }
    }
}

extension ClutchClient {
    /// Records that the application hit an error while serving flag `key` to `context`: the error
    /// is attributed to the variant `context` is served (evaluated without counting an
    /// evaluation) and sent with the next usage report, where a guarded release compares the new
    /// variant's error rate with the rest of the traffic. Errors for a flag that cannot be
    /// evaluated are not recorded.
    ///
    /// ```swift
    /// do { try await checkout(order) } catch {
    ///     client.recordError(flag: "new-checkout", context: context)
    ///     throw error
    /// }
    /// ```
    public func recordError(flag key: String, context: EvaluationContext = EvaluationContext()) {
        core.recordError(key, context: context, count: 1)
    }

    /// Records `count` errors at once (see ``recordError(flag:context:)``); a count below 1 records nothing.
    public func recordError(flag key: String, context: EvaluationContext = EvaluationContext(), count: Int) {
        core.recordError(key, context: context, count: count)
    }
}
