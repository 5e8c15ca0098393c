import Foundation
import ServerTestSupport
import TestSupport

/// Flags of every type, enabled in production, for the OFREP tests and the Python provider.
enum OFREPFixtures {
    static let flags = [
        #"{"key": "dark-mode", "environments": {"production": {"enabled": true}}}"#,
        #"{"key": "banner", "type": "string", "variants": [{"key": "hello", "value": "Hello"}, {"key": "bye", "value": "Bye"}], "offVariant": "bye", "environments": {"production": {"enabled": true, "targets": [{"variant": "bye", "values": ["u2"]}], "default": {"variant": "hello"}}}}"#,
        #"{"key": "limit", "type": "integer", "variants": [{"key": "small", "value": 10}, {"key": "big", "value": 1000}], "offVariant": "small", "environments": {"production": {"enabled": true, "default": {"variant": "big"}}}}"#,
        #"{"key": "ratio", "type": "double", "variants": [{"key": "whole", "value": 1.0}, {"key": "half", "value": 0.5}], "offVariant": "half", "environments": {"production": {"enabled": true, "default": {"variant": "whole"}}}}"#,
        #"{"key": "config", "type": "object", "variants": [{"key": "v1", "value": {"retries": 3, "endpoints": ["a", "b"], "weight": 2.5}}, {"key": "none", "value": {}}], "offVariant": "none", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"attribute": "plan", "operator": "in", "values": ["pro"]}], "serve": {"variant": "v1"}}], "default": {"variant": "none"}}}}"#,
        #"{"key": "rollout", "environments": {"production": {"enabled": true, "default": {"rollout": {"weights": [{"variant": "on", "weight": 50000}, {"variant": "off", "weight": 50000}]}}}}}"#,
    ]

    static func seed(_ server: TestServer) async throws {
        for flag in flags { try await server.createFlag(flag) }
    }
}
