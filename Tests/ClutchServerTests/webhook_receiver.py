"""A webhook receiver for the tests, verifying deliveries with the function docs/webhooks.md
documents (loaded from that file, so the documented code is the code tested).

    python3 webhook_receiver.py serve --secret S --log FILE [--port N] [--fail-first K] [--delay D]
        Prints "PORT <n>" once listening. Appends one JSON line per request to FILE:
        {"at": unix seconds, "signature", "body", "verified", "status"}. Answers 500 to the
        first K requests, then 204; each answer D seconds after the request arrived.
    python3 webhook_receiver.py verify --secret S --header H --body-file F [--now T]
        Exits 0 when the documented check accepts the delivery, 1 otherwise.
"""
import argparse, json, os, re, signal, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "webhooks.md")


def load_verifier():
    text = open(DOCS, encoding="utf-8").read()
    match = re.search(r"<!-- verify-python -->\s*```python\n(.*?)```", text, re.S)
    if not match:
        sys.exit("docs/webhooks.md has no verify-python block")
    namespace = {}
    exec(match.group(1), namespace)
    return namespace["verify_clutch_signature"]


def serve(args, verify):
    lock = threading.Lock()
    seen = {"count": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            signature = self.headers.get("Clutch-Signature") or ""
            with lock:
                seen["count"] += 1
                status = 500 if seen["count"] <= args.fail_first else 204
                record = {"at": time.time(), "signature": signature, "body": body.decode("utf-8"),
                          "verified": verify(signature, body, args.secret), "status": status}
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps(record) + "\n")
            time.sleep(args.delay)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


def main():
    # Started from a test process whose threads may block SIGTERM: take the default back.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["serve", "verify"])
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--header")
    parser.add_argument("--body-file")
    parser.add_argument("--now", type=float)
    args = parser.parse_args()
    verify = load_verifier()
    if args.mode == "serve":
        serve(args, verify)
    else:
        body = open(args.body_file, "rb").read()
        sys.exit(0 if verify(args.header, body, args.secret, now=args.now) else 1)


if __name__ == "__main__":
    main()
