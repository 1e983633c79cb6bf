#!/usr/bin/env bash
# Benchmark of issue 11, recorded in BENCHMARKS.md: `awsw sso accounts` discovering 1,000
# accounts with 3 roles each against the local SSO server (tests/servers/sso_server.py)
# limited to 20 requests per second. The floor the limit sets: (ListAccounts pages +
# one ListAccountRoles per account) / 20 per second.
# Usage: scripts/bench-sso-discovery.sh [AWSW_BINARY] [RUNS]   (default: target/release/awsw, 3)
set -euo pipefail
awsw=$(realpath "${1:-target/release/awsw}")
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
python3 "$here/tests/servers/sso_server.py" > "$work/port" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
until [ -s "$work/port" ]; do sleep 0.1; done
url=http://127.0.0.1:$(cat "$work/port")
control() { curl -sf -X POST "$url/_test/$1" -H 'Content-Type: application/json' -d "$2" >/dev/null; }
control seed '{"generate": {"accounts": 1000, "roles": 3}}'
control token '{"accessToken": "aoa-bench", "expiresIn": 86400}'

mkdir -p "$work/.aws/sso/cache" && chmod 700 "$work/.aws/sso/cache"
printf '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n' > "$work/.aws/config"
token_file="$work/.aws/sso/cache/$(printf corp | sha1sum | cut -d' ' -f1).json"
printf '{"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1", "accessToken": "aoa-bench", "expiresAt": "2099-01-01T00:00:00Z"}' > "$token_file"
chmod 600 "$token_file"
export HOME=$work AWS_CONFIG_FILE=$work/.aws/config XDG_CACHE_HOME=$work/cache
export AWS_ENDPOINT_URL_SSO=$url AWS_ENDPOINT_URL_SSO_OIDC=$url

# Each run starts with a full bucket (20 requests), as a fresh client would meet the portal.
hyperfine -N --runs "$runs" --prepare "curl -sf -X POST $url/_test/config -H 'Content-Type: application/json' -d '{\"rateLimit\": 20}'" \
  --export-markdown "$work/discovery.md" "$awsw sso accounts corp" >&2
cat "$work/discovery.md"
count=$("$awsw" sso accounts corp --cached | wc -l)
echo "rows in the last result: $count (want 3000)"
curl -sf -X POST "$url/_test/state" -d '{}'; echo
