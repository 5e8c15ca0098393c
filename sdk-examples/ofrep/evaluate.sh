#!/usr/bin/env bash
# Evaluates Clutch flags over OFREP (the OpenFeature Remote Evaluation Protocol) with curl:
# one flag, then all flags in bulk, then the bulk request again with If-None-Match (304).
# Usage: CLUTCH_SDK_KEY=clutch_sdk_… ./evaluate.sh [FLAG] [TARGETING_KEY] [CUSTOMER_ID]
set -euo pipefail

url="${CLUTCH_URL:-http://127.0.0.1:8080}"
key="${CLUTCH_SDK_KEY:?set CLUTCH_SDK_KEY (clutch keys create --env production --name ofrep)}"
flag="${1:-new-checkout}"
user="${2:-user-1}"
customer="${3:-acme}"
context="{\"context\": {\"targetingKey\": \"$user\", \"customerId\": \"$customer\"}}"

echo "# one flag: POST /ofrep/v1/evaluate/flags/$flag"
curl -sS -X POST "$url/ofrep/v1/evaluate/flags/$flag" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$context"
echo

echo "# every flag: POST /ofrep/v1/evaluate/flags"
headers="$(mktemp)"
trap 'rm -f "$headers"' EXIT
curl -sS -D "$headers" -X POST "$url/ofrep/v1/evaluate/flags" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$context"
echo
etag="$(grep -i '^etag:' "$headers" | cut -d' ' -f2- | tr -d '\r')"

echo "# again with If-None-Match: $etag"
status="$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$url/ofrep/v1/evaluate/flags" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -H "If-None-Match: $etag" -d "$context")"
echo "HTTP $status (304: nothing changed since the last answer)"
