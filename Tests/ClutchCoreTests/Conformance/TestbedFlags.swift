// flagd-testbed's flags (flags/*.json and evaluator/flags/testkit-flags.json), rewritten in Clutch's
// own flag format, one JSON array per group. Testbed.swift explains the mapping; notes below say
// where a rewrite needed more than the mapping.

enum TestbedFlags {
    static let groups = [evaluation, disabled, targeting, references, fractional, semver, string, refused]

    /// `$evaluators.is_ballmer` (flags/evaluator-refs.json, flags/zero-flags.json,
    /// evaluator/flags/testkit-flags.json): `{"==": ["ballmer@macrosoft.com", {"var": ["email"]}]}`.
    /// `nonexistent_evaluator` is deliberately absent.
    static let cohorts = #"""
    [
      {"key": "is_ballmer", "clauses": [{"attribute": "email", "operator": "in", "values": ["ballmer@macrosoft.com"]}]}
    ]
    """#

    /// flags/testing-flags.json, flags/zero-flags.json, flags/edge-case-flags.json, and
    /// evaluator/flags/testkit-flags.json (the same definitions, plus the object flags).
    static let evaluation = #"""
    [
      {"key": "boolean-flag", "type": "boolean",
       "variants": [{"key": "on", "value": true}, {"key": "off", "value": false}], "offVariant": "on",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "on"}}}},
      {"key": "string-flag", "type": "string",
       "variants": [{"key": "greeting", "value": "hi"}, {"key": "parting", "value": "bye"}], "offVariant": "greeting",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "greeting"}}}},
      {"key": "integer-flag", "type": "integer",
       "variants": [{"key": "one", "value": 1}, {"key": "ten", "value": 10}], "offVariant": "ten",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "ten"}}}},
      {"key": "float-flag", "type": "double",
       "variants": [{"key": "tenth", "value": 0.1}, {"key": "half", "value": 0.5}], "offVariant": "half",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "half"}}}},
      {"key": "object-flag", "type": "object",
       "variants": [{"key": "empty", "value": {}},
                    {"key": "template", "value": {"showImages": true, "title": "Check out these pics!", "imagesPerPage": 100}}],
       "offVariant": "template",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "template"}}}},
      {"key": "wrong-flag", "type": "string",
       "variants": [{"key": "one", "value": "uno"}, {"key": "two", "value": "dos"}], "offVariant": "one",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "one"}}}},

      {"key": "boolean-zero-flag", "type": "boolean",
       "variants": [{"key": "zero", "value": false}, {"key": "non-zero", "value": true}], "offVariant": "zero",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "zero"}}}},
      {"key": "string-zero-flag", "type": "string",
       "variants": [{"key": "zero", "value": ""}, {"key": "non-zero", "value": "str"}], "offVariant": "zero",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "zero"}}}},
      {"key": "integer-zero-flag", "type": "integer",
       "variants": [{"key": "zero", "value": 0}, {"key": "non-zero", "value": 1}], "offVariant": "zero",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "zero"}}}},
      {"key": "float-zero-flag", "type": "double",
       "variants": [{"key": "zero", "value": 0.0}, {"key": "non-zero", "value": 1.0}], "offVariant": "zero",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "zero"}}}},
      {"key": "object-zero-flag", "type": "object",
       "variants": [{"key": "zero", "value": {}},
                    {"key": "non-zero", "value": {"showImages": true, "title": "Check out these pics!", "imagesPerPage": 100}}],
       "offVariant": "zero",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "zero"}}}},

      {"key": "boolean-targeted-zero-flag", "type": "boolean",
       "variants": [{"key": "zero", "value": false}, {"key": "non-zero", "value": true}], "offVariant": "zero",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort": "is_ballmer"}], "serve": {"variant": "zero"}}], "default": {"variant": "zero"}}}},
      {"key": "string-targeted-zero-flag", "type": "string",
       "variants": [{"key": "zero", "value": ""}, {"key": "non-zero", "value": "str"}], "offVariant": "zero",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort": "is_ballmer"}], "serve": {"variant": "zero"}}], "default": {"variant": "zero"}}}},
      {"key": "integer-targeted-zero-flag", "type": "integer",
       "variants": [{"key": "zero", "value": 0}, {"key": "non-zero", "value": 1}], "offVariant": "zero",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort": "is_ballmer"}], "serve": {"variant": "zero"}}], "default": {"variant": "zero"}}}},
      {"key": "float-targeted-zero-flag", "type": "double",
       "variants": [{"key": "zero", "value": 0.0}, {"key": "non-zero", "value": 1.0}], "offVariant": "zero",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort": "is_ballmer"}], "serve": {"variant": "zero"}}], "default": {"variant": "zero"}}}},

      {"key": "empty-targeting-flag", "type": "integer",
       "variants": [{"key": "false", "value": 1}, {"key": "true", "value": 2}], "offVariant": "false",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "false"}}}},
      {"key": "error-targeting-flag", "type": "integer",
       "variants": [{"key": "one", "value": 1}, {"key": "two", "value": 2}], "offVariant": "two",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "invalid", "operator": "invalid", "values": ["this is not valid targeting"]}],
                    "serve": {"variant": "one"}}],
         "default": {"variant": "two"}}}},
      {"key": "targeting-null-flag", "type": "integer",
       "variants": [{"key": "one", "value": 1}, {"key": "two", "value": 2}], "offVariant": "two",
       "environments": {"testbed": {"enabled": true,
         "default": {"rollout": {"weights": [{"variant": "one", "weight": 100000}]}}}}},
      {"key": "no-default-flag-null-targeting-variant", "type": "string",
       "variants": [{"key": "normal", "value": "CFO"}, {"key": "special", "value": "CEO"}], "offVariant": "normal",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "email", "operator": "in", "values": ["jobs@orange.com"]}], "serve": {"variant": "special"}}],
         "default": {"variant": "normal"}}}}
    ]
    """#

    /// flags/disabled-flags.json (and evaluator/flags/testkit-flags.json). flagd serves the
    /// caller's default for a disabled flag; Clutch serves its off variant, so the off variant is
    /// the variant whose value the testbed's callers pass as their default.
    /// `cross-flagset-flag` is disabled in the flag set allFlags.json and enabled in
    /// selector-flags.json: two environments here.
    static let disabled = #"""
    [
      {"key": "disabled-boolean-flag", "type": "boolean",
       "variants": [{"key": "on", "value": true}, {"key": "off", "value": false}], "offVariant": "off",
       "environments": {"testbed": {"enabled": false, "default": {"variant": "on"}}}},
      {"key": "disabled-string-flag", "type": "string",
       "variants": [{"key": "greeting", "value": "hi"}, {"key": "parting", "value": "bye"}], "offVariant": "parting",
       "environments": {"testbed": {"enabled": false, "default": {"variant": "greeting"}}}},
      {"key": "disabled-integer-flag", "type": "integer",
       "variants": [{"key": "one", "value": 1}, {"key": "ten", "value": 10}], "offVariant": "one",
       "environments": {"testbed": {"enabled": false, "default": {"variant": "ten"}}}},
      {"key": "disabled-float-flag", "type": "double",
       "variants": [{"key": "tenth", "value": 0.1}, {"key": "half", "value": 0.5}], "offVariant": "tenth",
       "environments": {"testbed": {"enabled": false, "default": {"variant": "half"}}}},
      {"key": "disabled-object-flag", "type": "object",
       "variants": [{"key": "empty", "value": {}},
                    {"key": "template", "value": {"showImages": true, "title": "Check out these pics!", "imagesPerPage": 100}}],
       "offVariant": "empty",
       "environments": {"testbed": {"enabled": false, "default": {"variant": "template"}}}},
      {"key": "cross-flagset-flag", "type": "boolean",
       "variants": [{"key": "on", "value": true}, {"key": "off", "value": false}], "offVariant": "off",
       "environments": {"all-flags": {"enabled": false, "default": {"variant": "on"}},
                        "selector-set": {"enabled": true, "default": {"variant": "on"}}}}
    ]
    """#

    /// `targeting-key-flag` (flags/testing-flags.json): `{"==": [{"var": "targetingKey"}, "5c3d…"]}`
    /// → hit, else null (→ defaultVariant miss). Written twice: as an individual target, and
    /// (key suffixed `.rule`, no bucketing involved) as a rule.
    static let targeting = #"""
    [
      {"key": "targeting-key-flag", "type": "string",
       "variants": [{"key": "miss", "value": "miss"}, {"key": "hit", "value": "hit"}], "offVariant": "miss",
       "environments": {"testbed": {"enabled": true,
         "targets": [{"variant": "hit", "values": ["5c3d8535-f81a-4478-a6d3-afaa4d51199e"]}],
         "default": {"variant": "miss"}}}},
      {"key": "targeting-key-flag.rule", "type": "string",
       "variants": [{"key": "miss", "value": "miss"}, {"key": "hit", "value": "hit"}], "offVariant": "miss",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "targetingKey", "operator": "in", "values": ["5c3d8535-f81a-4478-a6d3-afaa4d51199e"]}],
                    "serve": {"variant": "hit"}}],
         "default": {"variant": "miss"}}}}
    ]
    """#

    /// flags/evaluator-refs.json: `if [{"$ref": "is_ballmer"}, A, B]` is `in cohort is_ballmer` → A,
    /// `not in cohort is_ballmer` → B. The three `ref-whitespace-*` flags differ only in the JSON
    /// spacing around `"$ref"`'s colon, which Clutch's decoder does not care about either.
    static let references = #"""
    [
      {"key": "some-email-targeted-flag", "type": "string",
       "variants": [{"key": "hi", "value": "hi"}, {"key": "bye", "value": "bye"}, {"key": "none", "value": "none"}], "offVariant": "none",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort": "is_ballmer"}], "serve": {"variant": "hi"}},
                   {"clauses": [{"cohort": "is_ballmer", "negate": true}], "serve": {"variant": "bye"}}],
         "default": {"variant": "none"}}}},
      {"key": "some-other-email-targeted-flag", "type": "string",
       "variants": [{"key": "yes", "value": "yes"}, {"key": "no", "value": "no"}, {"key": "none", "value": "none"}], "offVariant": "none",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort": "is_ballmer"}], "serve": {"variant": "yes"}},
                   {"clauses": [{"cohort": "is_ballmer", "negate": true}], "serve": {"variant": "no"}}],
         "default": {"variant": "none"}}}},
      {"key": "ref-whitespace-compact-flag", "type": "string",
       "variants": [{"key": "hi", "value": "hi"}, {"key": "bye", "value": "bye"}, {"key": "fallback", "value": "fallback"}], "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort":"is_ballmer"}], "serve": {"variant": "hi"}},
                   {"clauses": [{"cohort":"is_ballmer", "negate": true}], "serve": {"variant": "bye"}}],
         "default": {"variant": "fallback"}}}},
      {"key": "ref-whitespace-space-after-colon-flag", "type": "string",
       "variants": [{"key": "hi", "value": "hi"}, {"key": "bye", "value": "bye"}, {"key": "fallback", "value": "fallback"}], "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort": "is_ballmer"}], "serve": {"variant": "hi"}},
                   {"clauses": [{"cohort": "is_ballmer", "negate": true}], "serve": {"variant": "bye"}}],
         "default": {"variant": "fallback"}}}},
      {"key": "ref-whitespace-space-around-colon-flag", "type": "string",
       "variants": [{"key": "hi", "value": "hi"}, {"key": "bye", "value": "bye"}, {"key": "fallback", "value": "fallback"}], "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort" : "is_ballmer"}], "serve": {"variant": "hi"}},
                   {"clauses": [{"cohort" : "is_ballmer", "negate": true}], "serve": {"variant": "bye"}}],
         "default": {"variant": "fallback"}}}},
      {"key": "ref-to-nonexistent-evaluator-flag", "type": "string",
       "variants": [{"key": "hit", "value": "hit"}, {"key": "miss", "value": "miss"}, {"key": "fallback", "value": "fallback"}], "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"cohort": "nonexistent_evaluator"}], "serve": {"variant": "hit"}},
                   {"clauses": [{"cohort": "nonexistent_evaluator", "negate": true}], "serve": {"variant": "miss"}}],
         "default": {"variant": "fallback"}}}}
    ]
    """#

    /// flags/custom-ops.json, flags/edge-case-flags.json: `fractional` as rollouts.
    ///
    /// flagd hashes `flagKey + targetingKey` (no bucketing expression) or the string its bucketing
    /// expression yields, and maps the 32-bit murmur3 hash to `[0, sum of weights)`. Clutch hashes
    /// `salt + bucketBy value` (the salt is the flag key unless set) into `[0, 100000)`, so:
    /// - `{"cat": [{"var": "$flagd.flagKey"}, {"var": "user.name"}]}` is `bucketBy: user.name`;
    /// - `{"cat": ["shared-seed", {"var": "user.name"}]}` is `salt: shared-seed, bucketBy: user.name`;
    /// - no expression is `bucketBy: targetingKey`;
    /// - weights scale to 100,000 (25 of 100 → 25,000; 1 of 2 → 50,000; 1 of 1 → 100,000), which
    ///   gives the same buckets exactly when every running total × 100,000 is divisible by the sum.
    /// Clutch keys are lowercase, so `fractional-flag-A/B-shared-seed` become `…-a/b-…` (their
    /// salt is explicit, so the key does not enter the hash).
    static let fractional = #"""
    [
      {"key": "fractional-flag", "type": "string",
       "variants": [{"key": "clubs", "value": "clubs"}, {"key": "diamonds", "value": "diamonds"},
                    {"key": "hearts", "value": "hearts"}, {"key": "spades", "value": "spades"}, {"key": "wild", "value": "wild"}],
       "offVariant": "wild",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"bucketBy": "user.name", "weights": [
         {"variant": "clubs", "weight": 25000}, {"variant": "diamonds", "weight": 25000},
         {"variant": "hearts", "weight": 25000}, {"variant": "spades", "weight": 25000}]}}}}},
      {"key": "fractional-flag-shorthand", "type": "string",
       "variants": [{"key": "heads", "value": "heads"}, {"key": "tails", "value": "tails"}, {"key": "draw", "value": "draw"}],
       "offVariant": "draw",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"weights": [
         {"variant": "heads", "weight": 50000}, {"variant": "tails", "weight": 50000}]}}}}},
      {"key": "fractional-flag-a-shared-seed", "type": "string", "salt": "shared-seed",
       "variants": [{"key": "clubs", "value": "clubs"}, {"key": "diamonds", "value": "diamonds"},
                    {"key": "hearts", "value": "hearts"}, {"key": "spades", "value": "spades"}, {"key": "wild", "value": "wild"}],
       "offVariant": "wild",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"bucketBy": "user.name", "weights": [
         {"variant": "clubs", "weight": 25000}, {"variant": "diamonds", "weight": 25000},
         {"variant": "hearts", "weight": 25000}, {"variant": "spades", "weight": 25000}]}}}}},
      {"key": "fractional-flag-b-shared-seed", "type": "string", "salt": "shared-seed",
       "variants": [{"key": "clubs", "value": "ace-of-clubs"}, {"key": "diamonds", "value": "ace-of-diamonds"},
                    {"key": "hearts", "value": "ace-of-hearts"}, {"key": "spades", "value": "ace-of-spades"}, {"key": "wild", "value": "wild"}],
       "offVariant": "wild",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"bucketBy": "user.name", "weights": [
         {"variant": "clubs", "weight": 25000}, {"variant": "diamonds", "weight": 25000},
         {"variant": "hearts", "weight": 25000}, {"variant": "spades", "weight": 25000}]}}}}},
      {"key": "fractional-single-entry-flag", "type": "string",
       "variants": [{"key": "single", "value": "single"}, {"key": "fallback", "value": "fallback"}], "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"weights": [{"variant": "single", "weight": 100000}]}}}}},
      {"key": "fractional-null-bucket-key-flag", "type": "string",
       "variants": [{"key": "one", "value": "one"}, {"key": "two", "value": "two"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"bucketBy": "missing_key", "weights": [
         {"variant": "one", "weight": 50000}, {"variant": "two", "weight": 50000}]}}}}},
      {"key": "fractional-negative-weight-flag.clamped", "type": "string",
       "variants": [{"key": "one", "value": "one"}, {"key": "two", "value": "two"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"weights": [
         {"variant": "one", "weight": 0}, {"variant": "two", "weight": 100000}]}}}}}
    ]
    """#

    /// flags/custom-ops.json, flags/edge-case-flags.json: `sem_ver`. flagd's `~ X.Y.Z` (same
    /// major and minor) and `^ X.Y.Z` (same major) are ranges: `>= X.Y.0-0` and `< X.(Y+1).0-0`,
    /// and `>= X.0.0-0` and `< (X+1).0.0-0` (`-0` is the lowest pre-release, so every pre-release of
    /// the bounds' releases is on the right side, as it is for flagd's Major/MajorMinor).
    static let semver = #"""
    [
      {"key": "equal-greater-lesser-version-flag", "type": "string",
       "variants": [{"key": "equal", "value": "equal"}, {"key": "greater", "value": "greater"},
                    {"key": "lesser", "value": "lesser"}, {"key": "none", "value": "none"}],
       "offVariant": "none",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver=", "values": ["2.0.0"]}], "serve": {"variant": "equal"}},
                   {"clauses": [{"attribute": "version", "operator": "semver>", "values": ["2.0.0"]}], "serve": {"variant": "greater"}},
                   {"clauses": [{"attribute": "version", "operator": "semver<", "values": ["2.0.0"]}], "serve": {"variant": "lesser"}}],
         "default": {"variant": "none"}}}},
      {"key": "major-minor-version-flag", "type": "string",
       "variants": [{"key": "minor", "value": "minor"}, {"key": "major", "value": "major"}, {"key": "none", "value": "none"}],
       "offVariant": "none",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver>=", "values": ["3.0.0-0"]},
                                {"attribute": "version", "operator": "semver<", "values": ["3.1.0-0"]}], "serve": {"variant": "minor"}},
                   {"clauses": [{"attribute": "version", "operator": "semver>=", "values": ["3.0.0-0"]},
                                {"attribute": "version", "operator": "semver<", "values": ["4.0.0-0"]}], "serve": {"variant": "major"}}],
         "default": {"variant": "none"}}}},
      {"key": "semver-v-prefix-flag", "type": "string",
       "variants": [{"key": "match", "value": "match"}, {"key": "no-match", "value": "no-match"}], "offVariant": "no-match",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver=", "values": ["v1.0.0"]}], "serve": {"variant": "match"}}],
         "default": {"variant": "no-match"}}}},
      {"key": "semver-partial-version-flag", "type": "string",
       "variants": [{"key": "match", "value": "match"}, {"key": "no-match", "value": "no-match"}], "offVariant": "no-match",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver>=", "values": ["1.0.0-0"]},
                                {"attribute": "version", "operator": "semver<", "values": ["2.0.0-0"]}], "serve": {"variant": "match"}}],
         "default": {"variant": "no-match"}}}},
      {"key": "semver-numeric-context-flag", "type": "string",
       "variants": [{"key": "match", "value": "match"}, {"key": "no-match", "value": "no-match"}], "offVariant": "no-match",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver>", "values": ["1.1"]}], "serve": {"variant": "match"}}],
         "default": {"variant": "no-match"}}}},
      {"key": "semver-build-metadata-flag", "type": "string",
       "variants": [{"key": "match", "value": "match"}, {"key": "no-match", "value": "no-match"}], "offVariant": "no-match",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver=", "values": ["1.0.0+build"]}], "serve": {"variant": "match"}}],
         "default": {"variant": "no-match"}}}},
      {"key": "semver-invalid-version-flag", "type": "string",
       "variants": [{"key": "true", "value": "true"}, {"key": "false", "value": "false"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver=", "values": ["1.0.0"]}], "serve": {"variant": "true"}},
                   {"clauses": [{"attribute": "version", "operator": "semver=", "values": ["1.0.0"], "negate": true}], "serve": {"variant": "false"}}],
         "default": {"variant": "fallback"}}}}
    ]
    """#

    /// flags/custom-ops.json, flags/edge-case-flags.json: `starts_with`, `ends_with`. A top-level
    /// operator yields `true`/`false`, which name variants: a rule and its negation.
    static let string = #"""
    [
      {"key": "starts-ends-flag", "type": "string",
       "variants": [{"key": "prefix", "value": "prefix"}, {"key": "postfix", "value": "postfix"}, {"key": "none", "value": "none"}],
       "offVariant": "none",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "id", "operator": "startsWith", "values": ["abc"]}], "serve": {"variant": "prefix"}},
                   {"clauses": [{"attribute": "id", "operator": "endsWith", "values": ["xyz"]}], "serve": {"variant": "postfix"}}],
         "default": {"variant": "none"}}}},
      {"key": "starts-with-non-string-flag", "type": "string",
       "variants": [{"key": "true", "value": "true"}, {"key": "false", "value": "false"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "num", "operator": "startsWith", "values": ["abc"]}], "serve": {"variant": "true"}},
                   {"clauses": [{"attribute": "num", "operator": "startsWith", "values": ["abc"], "negate": true}], "serve": {"variant": "false"}}],
         "default": {"variant": "fallback"}}}},
      {"key": "ends-with-non-string-flag", "type": "string",
       "variants": [{"key": "true", "value": "true"}, {"key": "false", "value": "false"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "num", "operator": "endsWith", "values": ["xyz"]}], "serve": {"variant": "true"}},
                   {"clauses": [{"attribute": "num", "operator": "endsWith", "values": ["xyz"], "negate": true}], "serve": {"variant": "false"}}],
         "default": {"variant": "fallback"}}}}
    ]
    """#

    /// flags/edge-case-flags.json: definitions flagd evaluates to its default (or a GENERAL error)
    /// that Clutch refuses when written; an engine given one answers PARSE_ERROR for that flag.
    /// The rewrites keep what is broken: targeting that always yields a variant the flag lacks
    /// (`if [true, "three", "one"]` is a default serving `three`), an operator without its
    /// argument (`starts_with: ["abc"]`), an unknown `sem_ver` operator (`===`), weights summing
    /// to 0, and a negative weight (flagd clamps it to 0; scaled like the others, -50 → -50,000).
    static let refused = #"""
    [
      {"key": "missing-variant-targeting-flag", "type": "integer",
       "variants": [{"key": "one", "value": 1}, {"key": "two", "value": 2}], "offVariant": "two",
       "environments": {"testbed": {"enabled": true, "default": {"variant": "three"}}}},
      {"key": "starts-with-wrong-args-flag", "type": "string",
       "variants": [{"key": "true", "value": "true"}, {"key": "false", "value": "false"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "abc", "operator": "startsWith"}], "serve": {"variant": "true"}}],
         "default": {"variant": "fallback"}}}},
      {"key": "ends-with-wrong-args-flag", "type": "string",
       "variants": [{"key": "true", "value": "true"}, {"key": "false", "value": "false"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "xyz", "operator": "endsWith"}], "serve": {"variant": "true"}}],
         "default": {"variant": "fallback"}}}},
      {"key": "semver-wrong-args-flag", "type": "string",
       "variants": [{"key": "true", "value": "true"}, {"key": "false", "value": "false"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver="}], "serve": {"variant": "true"}}],
         "default": {"variant": "fallback"}}}},
      {"key": "semver-invalid-operator-flag", "type": "string",
       "variants": [{"key": "true", "value": "true"}, {"key": "false", "value": "false"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true,
         "rules": [{"clauses": [{"attribute": "version", "operator": "semver===", "values": ["1.0.0"]}], "serve": {"variant": "true"}}],
         "default": {"variant": "fallback"}}}},
      {"key": "fractional-zero-weights-flag", "type": "string",
       "variants": [{"key": "one", "value": "one"}, {"key": "two", "value": "two"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"weights": [
         {"variant": "one", "weight": 0}, {"variant": "two", "weight": 0}]}}}}},
      {"key": "fractional-negative-weight-flag", "type": "string",
       "variants": [{"key": "one", "value": "one"}, {"key": "two", "value": "two"}, {"key": "fallback", "value": "fallback"}],
       "offVariant": "fallback",
       "environments": {"testbed": {"enabled": true, "default": {"rollout": {"weights": [
         {"variant": "one", "weight": -50000}, {"variant": "two", "weight": 100000}]}}}}}
    ]
    """#
}
