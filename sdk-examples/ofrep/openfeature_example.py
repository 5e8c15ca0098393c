"""Evaluates Clutch flags through the standard OpenFeature Python SDK and its OFREP provider:
nothing Clutch-specific on the client side.

    pip install openfeature-sdk openfeature-provider-ofrep
    CLUTCH_SDK_KEY=clutch_sdk_… python3 openfeature_example.py
"""
import os
import sys

from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext


def main() -> int:
    url = os.environ.get("CLUTCH_URL", "http://127.0.0.1:8080")
    key = os.environ.get("CLUTCH_SDK_KEY")
    if not key:
        print("error: set CLUTCH_SDK_KEY (clutch keys create --env production --name ofrep)", file=sys.stderr)
        return 2
    flag = os.environ.get("CLUTCH_FLAG", "new-checkout")
    api.set_provider(OFREPProvider(url, headers_factory=lambda: {"Authorization": f"Bearer {key}"}))
    client = api.get_client()
    for user, customer in [("alice", "acme"), ("carol", "globex"), ("dave", "initech")]:
        context = EvaluationContext(targeting_key=user, attributes={"customerId": customer})
        details = client.get_boolean_details(flag, False, context)
        reason = getattr(details.reason, "value", details.reason)
        print(f"{user:6} {customer:8} {flag}={details.value} variant={details.variant} reason={reason}"
              + (f" error={details.error_code}" if details.error_code else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
