"""Evaluates Clutch flags through the stock OpenFeature Python SDK and OFREP provider.

Usage: ofrep_client.py BASE_URL SDK_KEY
Prints one JSON object: flag key -> {value, variant, reason, error_code}. Run by PythonOFREPTests.
"""
import json
import sys

from openfeature import api
from openfeature.evaluation_context import EvaluationContext
from openfeature.contrib.provider.ofrep import OFREPProvider


def main() -> int:
    base_url, key = sys.argv[1], sys.argv[2]
    api.set_provider(OFREPProvider(base_url, headers_factory=lambda: {"Authorization": f"Bearer {key}"}))
    client = api.get_client()
    context = EvaluationContext(targeting_key="u1", attributes={"plan": "pro"})
    details = {
        "dark-mode": client.get_boolean_details("dark-mode", False, context),
        "banner": client.get_string_details("banner", "default", context),
        "limit": client.get_integer_details("limit", -1, context),
        "ratio": client.get_float_details("ratio", -1.0, context),
        "config": client.get_object_details("config", {}, context),
        "missing": client.get_boolean_details("missing", True, context),
        "mistyped": client.get_integer_details("banner", 7, context),
    }
    out = {}
    for flag, d in details.items():
        out[flag] = {
            "value": d.value,
            "python_type": type(d.value).__name__,
            "variant": d.variant,
            "reason": str(d.reason.value if hasattr(d.reason, "value") else d.reason),
            "error_code": None if d.error_code is None else str(d.error_code.value if hasattr(d.error_code, "value") else d.error_code),
        }
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
