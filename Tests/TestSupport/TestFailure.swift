/// A failure inside a test helper: what went wrong, in one line the test's output shows.
///
/// The one failure type of every test target (helpers used to throw three look-alikes).
public struct TestFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
