"""flagd's own evaluator on a flagd flag-definition document that Clutch exported.

Usage: flagd_resolver.py FLAGS_JSON CASES_JSON

CASES_JSON is {"flags": {"KEY": "boolean|string|integer|double|object", ...},
"contexts": [{"targetingKey": ..., ...attributes}, ...]}. Every flag is resolved for every
context by openfeature-provider-flagd's in-process resolver reading the file (file mode), through
the stock OpenFeature Python SDK, and the answers are printed as one JSON array: per context, per
flag, {"value", "variant", "reason", "error"}.
"""
import json
import logging
import sys

from openfeature import api
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext

# sem_ver logs a stack trace for every value that is not a version: the answers are what counts.
logging.disable(logging.CRITICAL)

flags_path, cases_path = sys.argv[1], sys.argv[2]
with open(cases_path) as f:
    cases = json.load(f)

provider = FlagdProvider(resolver_type=ResolverType.FILE, offline_flag_source_path=flags_path, deadline_ms=60000)
api.set_provider(provider)
client = api.get_client()

defaults = {"boolean": False, "string": "", "integer": 0, "double": 0.0, "object": {}}
resolve = {
    "boolean": client.get_boolean_details,
    "string": client.get_string_details,
    "integer": client.get_integer_details,
    "double": client.get_float_details,
    "object": client.get_object_details,
}

answers = []
for context in cases["contexts"]:
    attributes = {k: v for k, v in context.items() if k != "targetingKey"}
    evaluation_context = EvaluationContext(targeting_key=context.get("targetingKey"), attributes=attributes)
    row = {}
    for key, flag_type in cases["flags"].items():
        details = resolve[flag_type](key, defaults[flag_type], evaluation_context)
        row[key] = {
            "value": details.value,
            "variant": details.variant,
            "reason": str(details.reason.value if hasattr(details.reason, "value") else details.reason),
            "error": details.error_code.value if details.error_code else None,
        }
    answers.append(row)

api.shutdown()
json.dump(answers, sys.stdout)
