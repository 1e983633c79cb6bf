#!/usr/bin/env bash
# Benchmarks of issue 3, recorded in BENCHMARKS.md:
#  1. identity of 200 role profiles against a local moto STS: `awsw whoami --all` (bounded
#     concurrency) versus a loop of `aws sts get-caller-identity --profile P`, both with
#     empty caches (cold) and awsw again with its cache warm;
#  2. `awsw exec P -- true` with a cached session versus `true` alone.
# Usage: scripts/bench-identity.sh [AWSW_BINARY]   (default: target/release/awsw)
set -euo pipefail
awsw=${1:-target/release/awsw}
awsw=$(realpath "$awsw")
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.1; done

{
  for i in $(seq -w 1 200); do
    printf '[profile role%s]\nrole_arn = arn:aws:iam::123456789012:role/r%s\nsource_profile = keys\nregion = eu-west-1\n\n' "$i" "$i"
  done
} > "$work/config"
printf '[keys]\naws_access_key_id = AKIABENCH0000EXAMPLE\naws_secret_access_key = bench-secret\n' > "$work/credentials"
export HOME=$work AWS_CONFIG_FILE=$work/config AWS_SHARED_CREDENTIALS_FILE=$work/credentials
export XDG_CACHE_HOME=$work/cache AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_EC2_METADATA_DISABLED=true
clear_caches="rm -rf $work/cache $work/.aws/cli"
printf '%s\n' $(seq -w 1 200 | sed 's/^/role/') > "$work/names"

hyperfine -N --runs 5 --prepare "$clear_caches" --export-markdown "$work/cold.md" "$awsw whoami --all" >&2
hyperfine -N --runs 5 --export-markdown "$work/warm.md" "$awsw whoami --all" >&2
hyperfine --runs 1 --prepare "$clear_caches" --export-markdown "$work/cli.md" \
  "while read p; do aws sts get-caller-identity --profile \$p --output text >/dev/null; done < $work/names" >&2
cat "$work/cold.md" "$work/warm.md" "$work/cli.md"

"$awsw" env role001 >/dev/null  # cache a session
hyperfine -N --warmup 5 --runs 50 --export-markdown "$work/exec.md" "$awsw exec role001 -- true" "true" >&2
cat "$work/exec.md"
