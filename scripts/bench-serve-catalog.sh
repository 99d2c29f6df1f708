#!/usr/bin/env bash
# Time per catalog request of `pricectl serve` (issue 13, docs/performance.md), from its request
# log: a store holding PRICING (applied with `pricectl apply --state`), then N rounds of single
# requests in turn (organization/me, features.list, plans.list, rewards.list, a preview keeping
# everything, and pricectl's customer-count preview: an empty catalog with
# `skip_deletions: false`), each route's times printed with their mean.
# Usage: scripts/bench-serve-catalog.sh BIN PRICING [N]     (BIN: a release `pricectl`)
set -euo pipefail
bin="$1"
pricing="$2"
rounds="${3:-6}"
key=am_sk_test_bench_catalog
work="$(mktemp -d)"
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cp "$pricing" "$work/pricing.toml"
"$bin" apply --auto-approve --quiet --state "$work/local.db" "$work/pricing.toml" >/dev/null
"$bin" serve --listen 127.0.0.1:0 --state "$work/local.db" --api-key "$key" \
  >"$work/serve.out" 2>"$work/serve.log" &
server=$!
until grep -q ATMN_BACKEND_URL "$work/serve.out" 2>/dev/null; do sleep 0.05; done
url="$(sed -n 's|^ATMN_BACKEND_URL=||p' "$work/serve.out")"
request() {
  curl -s -o /dev/null -H "Authorization: Bearer $key" -H "X-API-Version: 2.1.0" \
    -H "Content-Type: application/json" "$@"
}
for _ in $(seq "$rounds"); do
  request "$url/v1/organization/me"
  request -X POST -d '{}' "$url/v1/features.list"
  request -X POST -d '{}' "$url/v1/plans.list"
  request -X POST -d '{}' "$url/v1/rewards.list"
  request -X POST -d '{"features":[],"plans":[]}' "$url/v1/catalog.preview_update"
  request -X POST -d '{"features":[],"plans":[],"skip_deletions":false}' \
    "$url/v1/catalog.preview_update"
done
kill "$server"
wait "$server" 2>/dev/null || true
server=
# A log line: METHOD PATH STATUS TIMEms; the previews alternate, keeping everything first.
awk '$1 != "serving" {
  time = $4; sub(/ms$/, "", time); route = $2
  if (route ~ /preview_update/) route = route ((previews++ % 2) ? " (customer counts)" : " (keep all)")
  n[route]++; sum[route] += time; all[route] = all[route] " " time
} END {
  for (route in n) printf "%-45s n=%d mean=%.2f ms [%s ]\n", route, n[route], sum[route] / n[route], all[route]
}' "$work/serve.log" | sort
