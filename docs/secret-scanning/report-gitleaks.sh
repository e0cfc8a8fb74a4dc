#!/bin/sh
# Reports gitleaks findings of the keyhouse-api-key rule to a Keyhouse server's leak
# endpoint (POST /api/leaks), which revokes every live key among them and tells the
# owners where it was found. Needs jq and curl.
#   gitleaks detect --config docs/secret-scanning/gitleaks.toml --report-format json --report-path leaks.json
#   KEYHOUSE_URL=https://keyhouse.example.com sh docs/secret-scanning/report-gitleaks.sh leaks.json
set -eu
report="${1:?usage: report-gitleaks.sh gitleaks-report.json}"
: "${KEYHOUSE_URL:?set KEYHOUSE_URL to your Keyhouse, e.g. https://keyhouse.example.com}"
# At most 100 tokens per request (the endpoint's limit); one token once.
jq -c '[.[] | select(.RuleID == "keyhouse-api-key") | {token: .Secret, url: ((.File // "") + ":" + ((.StartLine // 0) | tostring)), source: "gitleaks"}] | unique_by(.token) | _nwise(100)' "$report" |
  while read -r batch; do
    curl --fail-with-body -sS -X POST -H 'Content-Type: application/json' --data-binary "$batch" "$KEYHOUSE_URL/api/leaks"
    echo
  done
