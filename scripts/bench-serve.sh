#!/usr/bin/env bash
# Benchmark of `pricectl serve` (docs/performance.md): tracks and checks per second over
# loopback with wrk (Debian's `wrk` package), 32 connections, and the final balance verified
# to the last decimal against every usage entry the ledger recorded.
# Usage: scripts/bench-serve.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
key=am_sk_test_bench
cargo build --release --locked --quiet
pricectl="$PWD/target/release/pricectl"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
"$pricectl" --quiet apply --auto-approve --state "$work/local.db" pricing-examples/openai-credits/pricing.toml >/dev/null
"$pricectl" --quiet serve --listen 127.0.0.1:0 --state "$work/local.db" --api-key "$key" >"$work/out" &
server=$!
until grep -q ATMN_BACKEND_URL "$work/out" 2>/dev/null; do sleep 0.1; done
url="$(sed -n 's/^ATMN_BACKEND_URL=//p' "$work/out")"
post() {
  curl -sf -X POST "$url/v1/$1" -H "Authorization: Bearer $key" -H 'X-API-Version: 2.1.0' -d "$2"
}
post customers.get_or_create '{"customer_id":"bench"}' >/dev/null
# 1,000,000 credits; each track of 1 o1 input token draws 0.0015.
post balances.create '{"customer_id":"bench","feature_id":"credits","included_grant":1000000}' >/dev/null
script() {
  cat >"$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["X-API-Version"] = "2.1.0"
wrk.headers["Content-Type"] = "application/json"
LUA
}
script track '{"customer_id":"bench","feature_id":"o1-input-tokens","value":1}'
script check '{"customer_id":"bench","feature_id":"o1-input-tokens"}'
# The server's CPU time (user + system, in clock ticks) from /proc: per request it depends far
# less on what else the machine runs than requests per second do.
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
usage_entries() {
  "$pricectl" history --customer bench --state "$work/local.db" --format json |
    python3 -c 'import json,sys; print(sum(1 for entry in json.load(sys.stdin) if entry["kind"] == "usage"))'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== tracks, 32 connections, ${seconds}s"
before="$(cpu)"
wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/track.lua" "$url/v1/balances.track"
sleep 1 # the requests wrk left in flight
track_ticks=$(($(cpu) - before))
tracked="$(usage_entries)"
echo "== checks, 32 connections, ${seconds}s"
before="$(cpu)"
wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/check.lua" "$url/v1/balances.check" | tee "$work/check.out"
sleep 1
check_ticks=$(($(cpu) - before))
checked="$(awk '/requests in/ {print $1}' "$work/check.out")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 -c "import os; tick = 1e6 / os.sysconf('SC_CLK_TCK'); print('server CPU time: %.1f us per track, %.1f us per check' % ($track_ticks * tick / $tracked, $check_ticks * tick / $checked))"
remaining="$(post balances.check '{"customer_id":"bench","feature_id":"o1-input-tokens"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin, parse_float=str)["balance"]["remaining"])')"
tracks="$(usage_entries)"
expected="$(python3 -c "from decimal import Decimal as D; print(D(1000000) - D('0.0015') * $tracks)")"
echo "usage entries: $tracks; final balance: $remaining credits (1,000,000 - 0.0015 x $tracks = $expected)"
python3 -c "from decimal import Decimal as D; import sys; sys.exit(0 if D('$remaining') == D('$expected') else 1)"
echo "exact"
