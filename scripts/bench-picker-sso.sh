#!/usr/bin/env bash
# Benchmark of issue 11, recorded in BENCHMARKS.md: the picker's first frame with 3,000
# SSO-discovered rows (1,000 accounts x 3 roles) read from the discovery cache, in a 200x60
# pty made by `script`; AWSW_EXIT_AFTER_FIRST_FRAME=1 ends awsw right after that frame.
# Compared with the same config without a cached discovery (the process + terminal floor).
# `env` starts each run (hyperfine -N takes no VAR=value); it costs both the same.
# Usage: scripts/bench-picker-sso.sh [AWSW_BINARY] [RUNS]   (default: target/release/awsw, 40)
set -euo pipefail
awsw=$(realpath "${1:-target/release/awsw}")
runs=${2:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/.aws" "$work/cache/awsw" "$work/empty/awsw"
chmod 700 "$work/cache/awsw" "$work/empty/awsw"
printf '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n[profile dev]\nsso_session = corp\nsso_account_id = 100000000000\nsso_role_name = Role0\n' > "$work/.aws/config"
cache="$work/cache/awsw/sso-accounts-$(printf corp | sha1sum | cut -d' ' -f1).json"
python3 - "$cache" <<'PY'
import json, sys
accounts = [{"accountId": f"{100000000000 + i:012d}", "accountName": f"account-{i:04d}",
             "emailAddress": f"aws+{i}@example.com", "roles": [f"Role{r}" for r in range(3)]}
            for i in range(1000)]
json.dump({"version": 1, "session": "corp", "startUrl": "https://corp.awsapps.com/start",
           "fetchedAt": "2026-11-25T00:00:00Z", "accounts": accounts}, open(sys.argv[1], "w"))
PY
chmod 600 "$cache"
export HOME=$work AWS_CONFIG_FILE=$work/.aws/config AWS_SHARED_CREDENTIALS_FILE=$work/.aws/credentials
export AWSW_EXIT_AFTER_FIRST_FRAME=1 AWS_EC2_METADATA_DISABLED=true
# hyperfine itself runs inside one `script` pty (200x60): each awsw draws on that terminal
# (/dev/tty), so the figures are awsw's own, without a `script` and a shell per run.
XDG_CACHE_HOME=$work/cache script -qec "stty cols 200 rows 60; $awsw" /dev/null | grep -ao '+2999' | head -1 | sed 's/$/ discovered rows in the first frame/'
script -qec "stty cols 200 rows 60; hyperfine -N --warmup 5 --runs $runs --export-markdown $work/frame.md \
  -n '3,000 discovered rows' 'env XDG_CACHE_HOME=$work/cache $awsw' \
  -n 'no cached discovery' 'env XDG_CACHE_HOME=$work/empty $awsw'" /dev/null > "$work/log"
cat "$work/frame.md"
XDG_CACHE_HOME=$work/cache /usr/bin/time -f 'peak RSS %M KB' script -qec "stty cols 200 rows 60; $awsw" /dev/null > /dev/null
