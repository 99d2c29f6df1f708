#!/usr/bin/env bash
# Benchmark of the Autumn backend (issue 13, docs/performance.md): `pricectl plan` and
# `pricectl apply --backend autumn` of the generated catalog against `pricectl serve`, and
# `atmn push` (Autumn's own CLI, pinned in tests/interop) of the same catalog against another
# `pricectl serve`, each through the fault proxy adding LATENCY ms to every request (no faults).
# Wall time and peak memory from /usr/bin/time -v; requests and the busiest second from the
# proxy; the load average before and after each (the machine is shared).
#
# Usage: scripts/bench-apply.sh [SCALE] [LATENCY_MS]     (defaults: 0.1 and 50)
# SCALE as bench/src/bin/generate.rs takes it: 1 is 7,050 objects, 0.1 is 705.
# PER_OBJECT=1 also applies the catalog change by change (`--apply-mode per-object`) against a
# third fresh server: the cost of a write to `pricectl serve`, request by request.
# Results in BENCH_OUT (default bench/out/apply-SCALE).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scale="${1:-0.1}"
latency="${2:-50}"
out="${BENCH_OUT:-bench/out/apply-$scale}"
key=am_sk_test_bench_apply
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cargo build --release --locked --quiet --bin pricectl
CARGO_TARGET_DIR="$root/target" cargo build --release --quiet \
  --manifest-path bench/Cargo.toml --bin generate --bin fault-proxy
pricectl="$root/target/release/pricectl"
generate="$root/target/release/generate"
proxy_bin="$root/target/release/fault-proxy"
atmn="$root/tests/interop/node_modules/.bin/atmn"
[[ -x $atmn ]] || (cd tests/interop && npm ci --no-audit --no-fund)

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

load() { echo "$1: load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs" | tee -a "$out/load.txt"; }
: >"$out/load.txt"

# serve DIR: a fresh `pricectl serve` on DIR/local.db; sets $served to its host:port.
serve() {
  "$pricectl" --quiet serve --listen 127.0.0.1:0 --state "$1/local.db" --api-key "$key" >"$1/serve.out" 2>&1 &
  pids+=($!)
  until grep -q ATMN_BACKEND_URL "$1/serve.out" 2>/dev/null; do sleep 0.1; done
  served="$(sed -n 's|^ATMN_BACKEND_URL=http://||p' "$1/serve.out")"
}

# proxy DIR UPSTREAM: the fault proxy adding the latency, its stdin held open by a fifo;
# sets $proxied to its URL. `stop_proxy DIR` closes the fifo: the proxy prints its counts.
proxy() {
  mkfifo "$1/proxy.in"
  "$proxy_bin" "$2" --latency-ms "$latency" <"$1/proxy.in" >"$1/proxy.out" 2>"$1/proxy.counts" &
  pids+=($!)
  exec {proxy_fd}>"$1/proxy.in"
  until grep -q PROXY_URL "$1/proxy.out" 2>/dev/null; do sleep 0.1; done
  proxied="$(sed -n 's/^PROXY_URL=//p' "$1/proxy.out")"
}
stop_proxy() { # not in a subshell: it closes this shell's end of the fifo
  exec {proxy_fd}>&-
  until [[ -s "$1/proxy.counts" ]]; do sleep 0.1; done
}

# timed NAME COMMAND...: runs it under /usr/bin/time -v; its output in $out/NAME.*
timed() {
  local name="$1"
  shift
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err" || {
    echo "$name failed (exit $?): see $out/$name.err" >&2
    tail -n 20 "$out/$name.err" >&2
    return 1
  }
  printf '%s: %s s wall, %s KiB peak\n' "$name" \
    "$(awk -F': ' '/Elapsed/ {print $2}' "$out/$name.time")" \
    "$(awk -F': ' '/Maximum resident/ {print $2}' "$out/$name.time")" | tee -a "$out/summary.txt"
}

: >"$out/summary.txt"
echo "scale $scale, $latency ms added per request, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)" | tee -a "$out/summary.txt"

# The catalog, for both tools.
mkdir -p "$work/pricectl" "$work/atmn"
"$generate" "$work/pricectl/pricing.toml" "$scale" --autumn "$work/atmn/autumn.config.ts"
cp "$work/pricectl/pricing.toml" "$work/atmn/pricing.toml"
ln -s "$root/tests/interop/node_modules" "$work/atmn/node_modules"
echo "catalog: $(wc -c <"$work/pricectl/pricing.toml") bytes of pricing, $(wc -c <"$work/atmn/autumn.config.ts") bytes of autumn.config.ts" | tee -a "$out/summary.txt"

# pricectl: plan, then apply (which plans again, applies in bulk through catalog.update and
# reads back after each request and at the end).
serve "$work/pricectl"
proxy "$work/pricectl" "$served"
export AUTUMN_SECRET_KEY="$key"
load "before pricectl"
(cd "$work/pricectl" && timed pricectl-plan "$pricectl" plan --backend autumn --api-url "$proxied" pricing.toml)
(cd "$work/pricectl" && timed pricectl-apply "$pricectl" apply --auto-approve --backend autumn --api-url "$proxied" pricing.toml)
load "after pricectl"
stop_proxy "$work/pricectl"
echo "pricectl through the proxy: $(cat "$work/pricectl/proxy.counts")" | tee -a "$out/summary.txt"
grep -E '^Apply complete' "$out/pricectl-apply.err" | tee -a "$out/summary.txt"
(cd "$work/pricectl" && "$pricectl" plan --detailed-exitcode --backend autumn --api-url "http://$served" pricing.toml >/dev/null) &&
  echo "pricectl: plan afterwards is empty" | tee -a "$out/summary.txt"

# The same apply change by change, against its own fresh server.
if [[ ${PER_OBJECT:-0} == 1 ]]; then
  mkdir -p "$work/per-object"
  cp "$work/pricectl/pricing.toml" "$work/per-object/pricing.toml"
  serve "$work/per-object"
  proxy "$work/per-object" "$served"
  load "before pricectl per object"
  (cd "$work/per-object" && timed pricectl-apply-per-object "$pricectl" apply --auto-approve \
    --apply-mode per-object --backend autumn --api-url "$proxied" pricing.toml)
  load "after pricectl per object"
  stop_proxy "$work/per-object"
  echo "pricectl per object through the proxy: $(cat "$work/per-object/proxy.counts")" | tee -a "$out/summary.txt"
fi

# atmn push of the same catalog, against its own fresh server.
serve "$work/atmn"
proxy "$work/atmn" "$served"
load "before atmn"
(cd "$work/atmn" && timed atmn-push env ATMN_BACKEND_URL="$proxied" ATMN_DISABLE_AUTH_RECOVERY=1 \
  NO_COLOR=1 "$atmn" --headless push --yes) || true
load "after atmn"
stop_proxy "$work/atmn"
echo "atmn through the proxy: $(cat "$work/atmn/proxy.counts")" | tee -a "$out/summary.txt"
tail -n 5 "$out/atmn-push.out" "$out/atmn-push.err" | tee -a "$out/summary.txt"
(cd "$work/atmn" && "$pricectl" plan --backend autumn --api-url "http://$served" pricing.toml >"$out/atmn-then-plan.txt" 2>&1) || true
echo "pricectl plan after atmn push: $(head -n 3 "$out/atmn-then-plan.txt" | tr '\n' ' ')" | tee -a "$out/summary.txt"
echo "results in $out"
