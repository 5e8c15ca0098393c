"""Answers flags with a vendor's own SDK, on the vendor's own file: the reference Clutch's import
is checked against (VendorInteropTests).

    python3 vendor_eval.py launchdarkly|unleash FILE CASES

CASES is JSON: {"flags": [key…], "contexts": [{"targetingKey": …, attribute: value…}…]}.
Prints a JSON list, one object per context: {flag: answer}, where the answer is LaunchDarkly's
value, or Unleash's `is_enabled` (a feature without variants) or variant name.
"""

import json
import logging
import sys
import tempfile

logging.disable(logging.CRITICAL)


def launchdarkly(path, cases):
    from ldclient import Context, LDClient
    from ldclient.config import Config
    from ldclient.integrations import Files

    source = Files.new_data_source(paths=[path], auto_update=False)
    client = LDClient(config=Config("sdk-key-unused", update_processor_class=source, send_events=False,
                                    diagnostic_opt_out=True), start_wait=10)
    if not client.is_initialized():
        raise SystemExit("LaunchDarkly's file data source did not initialize")
    answers = []
    for context in cases["contexts"]:
        builder = Context.builder(context["targetingKey"])
        for name, value in context.items():
            if name != "targetingKey":
                builder.set(name, value)
        ld_context = builder.build()
        answers.append({flag: client.variation(flag, ld_context, None) for flag in cases["flags"]})
    client.close()
    return answers


def unleash(path, cases):
    from UnleashClient import UnleashClient
    from UnleashClient.cache import FileCache

    # A directory of its own: FileCache keeps what it loaded on disk, and must not serve an
    # earlier run's features.
    cache = FileCache("clutch-vendor-eval", directory=tempfile.mkdtemp(prefix="clutch-unleash-"))
    with open(path) as f:
        cache.bootstrap_from_dict(json.load(f))
    client = UnleashClient(url="http://127.0.0.1:9/unused", app_name="clutch-vendor-eval", cache=cache,
                           disable_metrics=True, disable_registration=True, refresh_interval=3600)
    # Not `initialize_client()`: it would poll the (absent) server; the constructor has already
    # loaded the bootstrapped features into the engine.
    known = client.feature_definitions()
    missing = [flag for flag in cases["flags"] if flag not in known]
    if missing:
        raise SystemExit(f"Unleash's engine did not load {missing} from the file (it drops a document it cannot read)")
    with_variants = set(cases.get("variants", []))
    answers = []
    for context in cases["contexts"]:
        properties = {k: v for k, v in context.items() if k not in ("targetingKey", "sessionId")}
        unleash_context = {"userId": context["targetingKey"], "properties": properties}
        answer = {}
        for flag in cases["flags"]:
            if flag in with_variants:
                answer[flag] = client.get_variant(flag, unleash_context)["name"]
            else:
                answer[flag] = client.is_enabled(flag, unleash_context)
        answers.append(answer)
    return answers


def main():
    vendor, path, cases_path = sys.argv[1:4]
    with open(cases_path) as f:
        cases = json.load(f)
    share = cases.get("share")
    if share:
        # Many contexts, made here rather than sent: `count` targeting keys `<prefix><i>`, every
        # other one with plan "pro" (the rest "free"). Prints each flag's answers counted, by
        # their JSON text, instead of one object per context.
        cases["contexts"] = [{"targetingKey": f"{share['prefix']}{i}", "plan": "pro" if i % 2 == 0 else "free"}
                             for i in range(share["count"])]
    answers = launchdarkly(path, cases) if vendor == "launchdarkly" else unleash(path, cases)
    if share:
        counts = {flag: {} for flag in cases["flags"]}
        for answer in answers:
            for flag in cases["flags"]:
                text = json.dumps(answer.get(flag), separators=(",", ":"))
                counts[flag][text] = counts[flag].get(text, 0) + 1
        json.dump(counts, sys.stdout)
    else:
        json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
