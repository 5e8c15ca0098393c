"""An OFREP static-context provider's change detection, written from the text of OFREP ADR-0008
("Server-Sent Events for bulk evaluation changes") and nothing else, run by OFREPEventStreamTests.

Usage: ofrep_events_client.py BASE_URL SDK_KEY MESSAGES
1. POST /ofrep/v1/evaluate/flags; keep the flags and the ETag; read `eventStreams`.
2. Connect to each entry of known type ("sse") by its url alone (a browser's EventSource sends no
   headers), honouring the SSE format: `event:`, `data:` lines joined, `id:`, comments, blank line.
3. For a message whose data.type is "refetchEvaluation", re-fetch the bulk evaluation with
   `flagConfigEtag` (from data.etag) and `flagConfigLastModified` (from data.lastModified) as query
   parameters and the stored ETag as If-None-Match; 200 replaces the cache, 304 keeps it.
   Unknown data.type values are ignored.
Stops after MESSAGES refetchEvaluation messages and prints one JSON object:
{"eventStreams": [...], "refetches": [{"etag", "status", "flags": {key: value}}]}.
"""
import json
import sys
import urllib.parse

import requests


def bulk(base_url, key, etag=None, meta=None):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    if etag:
        headers["If-None-Match"] = etag
    url = f"{base_url}/ofrep/v1/evaluate/flags"
    if meta:
        url += "?" + urllib.parse.urlencode(meta)
    return requests.post(url, headers=headers, data=json.dumps({"context": {"targetingKey": "u1"}}), timeout=10)


def sse_messages(response):
    """Yields (event, data, id) per the WHATWG event-stream format."""
    event, data, last_id = "", [], ""
    for raw in response.iter_lines(decode_unicode=True):
        line = raw if raw is not None else ""
        if line == "":
            if data:
                yield (event or "message", "\n".join(data), last_id)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            last_id = value


def main() -> int:
    base_url, key, wanted = sys.argv[1], sys.argv[2], int(sys.argv[3])
    # Optional: a file created once the first re-fetch is answered, so that a test changes a
    # flag only after it (else the first re-fetch may already see the change).
    ready_file = sys.argv[4] if len(sys.argv) > 4 else None
    first = bulk(base_url, key)
    first.raise_for_status()
    body = first.json()
    cache = {f["key"]: f.get("value") for f in body["flags"]}
    etag = first.headers.get("ETag")
    streams = [s for s in body.get("eventStreams", []) if s.get("type") == "sse"]
    if not streams:
        print(json.dumps({"eventStreams": body.get("eventStreams"), "refetches": []}))
        return 0
    refetches = []
    with requests.get(streams[0]["url"], stream=True, timeout=(5, 30)) as stream:
        stream.raise_for_status()
        for _event, data, _id in sse_messages(stream):
            try:
                message = json.loads(data)
            except ValueError:
                continue
            if message.get("type") != "refetchEvaluation":
                continue
            meta = {}
            if "etag" in message:
                meta["flagConfigEtag"] = message["etag"]
            if "lastModified" in message:
                meta["flagConfigLastModified"] = message["lastModified"]
            answer = bulk(base_url, key, etag, meta)
            if answer.status_code == 200:
                cache = {f["key"]: f.get("value") for f in answer.json()["flags"]}
                etag = answer.headers.get("ETag")
            refetches.append({"etag": message.get("etag"), "status": answer.status_code, "flags": cache})
            if ready_file and len(refetches) == 1:
                with open(ready_file, "w") as ready:
                    ready.write("ready")
            if len(refetches) >= wanted:
                break
    print(json.dumps({"eventStreams": body.get("eventStreams"), "refetches": refetches}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
