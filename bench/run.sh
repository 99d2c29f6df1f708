#!/usr/bin/env bash
# Benchmarks `pricectl validate` on large generated catalogs against the toml crate alone and
# against `taplo check` with the JSON Schema, then the revenue impact: a million usage events
# for ten thousand customers replayed under two pricings. See docs/performance.md for what it
# measures, the figures, and how to read them.
#
#   bash bench/run.sh
#
# Environment (all optional):
#   BENCH_OUT=bench/out       where catalogs, the schema copy and results go
#   BENCH_SCALES="0.5 1 2"    catalog sizes (1 = 5,000 features, 50x100 costs, 2,000x10 items)
#   BENCH_RUNS=20             hyperfine runs of the fast commands (taplo: BENCH_TAPLO_RUNS=5)
#   BENCH_PHASE_RUNS=15       in-process repetitions of each phase
#   BENCH_PERF=1              also build a profiling binary and print a perf profile (1x)
#   BENCH_NO_INSTALL=1        never apt-get / pip install missing tools; fail instead
#   BENCH_WAIT_IDLE=600       before each timing group, wait up to this many seconds for the
#                             CPUs to be idle (under 10% busy); default 0: only warn
#   BENCH_LEDGER=1            instead of the above: the ledger (tracked events per second, 8
#                             writers, the cost of check; its instruction count with valgrind's
#                             callgrind and its system calls with strace when installed), then
#                             `pricectl serve` over HTTP (scripts/bench-serve.sh, wrk)
#   BENCH_IMPACT_EVENTS=1000000, BENCH_IMPACT_CUSTOMERS=10000
#                             the revenue impact's usage; BENCH_IMPACT=0 skips it
#
# Dev-only: nothing in CI runs this. Installs hyperfine, GNU time (apt) and taplo (pip) when
# missing, as root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-bench/out}
SCALES=${BENCH_SCALES:-"0.5 1 2"}
RUNS=${BENCH_RUNS:-20}
TAPLO_RUNS=${BENCH_TAPLO_RUNS:-5}
PHASE_RUNS=${BENCH_PHASE_RUNS:-15}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BENCH_BIN=$ROOT/bench/target/release
PRICECTL=$ROOT/target/release/pricectl

say() { printf '\n== %s\n' "$*" >&2; }
# Timings on a 2-core machine mean little while something else runs: measure how busy the
# CPUs are over one idle second of ours, and say so in the results.
cpu_times() { # prints "busy total" jiffies since boot
    local _cpu user nice system idle iowait irq softirq steal _rest
    read -r _cpu user nice system idle iowait irq softirq steal _rest </proc/stat
    echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}
busy_percent() { # CPU use of everything over the next second, in percent
    local before after
    before=$(cpu_times)
    sleep 1
    after=$(cpu_times)
    awk -v b="$before" -v a="$after" 'BEGIN {
        split(b, x); split(a, y); printf "%d", 100 * (y[1] - x[1]) / (y[2] - x[2] + 1e-9) }'
}
load_note() { # load_note WHEN: waits up to BENCH_WAIT_IDLE seconds for idle CPUs, then notes
    local busy deadline=$((SECONDS + ${BENCH_WAIT_IDLE:-0}))
    busy=$(busy_percent)
    while ((busy >= 10 && SECONDS < deadline)); do
        sleep 4
        busy=$(busy_percent)
    done
    echo "$1: CPUs ${busy}% busy over 1 s of idling; load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
    if ((busy >= 10)); then
        echo "warning: other processes keep the CPUs ${busy}% busy ($1); they skew these timings" >&2
    fi
}

# ------------------------------------------------------------------ ledger and serve
if [[ ${BENCH_LEDGER:-} == 1 ]]; then
    say "ledger: building bench/target/release/ledger"
    CARGO_TARGET_DIR=$ROOT/bench/target cargo build --release --manifest-path bench/Cargo.toml --bin ledger
    load_note "ledger"
    say "ledger: 20,000 events, three runs"
    for run in 1 2 3; do
        "$BENCH_BIN/ledger" 20000 | tee -a "$OUT/ledger.txt"
    done
    if command -v valgrind >/dev/null 2>&1; then
        say "ledger: instructions for 300 events (independent of the load)"
        valgrind --tool=callgrind --callgrind-out-file="$OUT/ledger.callgrind" "$BENCH_BIN/ledger" 300 2>&1 |
            grep -E 'refs' | tee -a "$OUT/ledger.txt"
    fi
    if command -v strace >/dev/null 2>&1; then
        say "ledger: system calls for 2,000 events"
        strace -f -c -o "$OUT/ledger-strace.txt" "$BENCH_BIN/ledger" 2000 >/dev/null
        grep -E 'pwrite64|fcntl|fsync|total' "$OUT/ledger-strace.txt" | tee -a "$OUT/ledger.txt"
    fi
    load_note "serve"
    say "serve: scripts/bench-serve.sh 10"
    need_wrk=$(command -v wrk || true)
    [[ -n $need_wrk ]] || { echo "missing wrk: install the Debian package wrk" >&2; exit 1; }
    bash scripts/bench-serve.sh 10 | tee "$OUT/serve.txt"
    load_note "at the end"
    exit 0
fi

# ------------------------------------------------------------------ tools
apt_updated=0
need_apt() { # need_apt COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    if [[ ${BENCH_NO_INSTALL:-} == 1 || $(id -u) != 0 ]]; then
        echo "missing $1: install the Debian package $2" >&2
        exit 1
    fi
    if [[ $apt_updated == 0 ]]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need_apt hyperfine hyperfine
[[ -x /usr/bin/time ]] || need_apt /usr/bin/time time
if ! command -v taplo >/dev/null 2>&1; then
    if [[ ${BENCH_NO_INSTALL:-} == 1 ]]; then
        echo "missing taplo: pip install taplo" >&2
        exit 1
    fi
    python3 -m pip install -q taplo
    hash -r
fi
# Time taplo's native binary, not a pyenv shim (a bash script that adds ~120 ms a run here).
TAPLO=$(pyenv which taplo 2>/dev/null || command -v taplo)

# ------------------------------------------------------------------ builds
say "building pricectl and bench tools (release)"
cargo build --release --locked --bin pricectl
CARGO_TARGET_DIR=$ROOT/bench/target cargo build --release --manifest-path bench/Cargo.toml \
    --bin generate --bin phases --bin toml-parse --bin impact

# ------------------------------------------------------------------ schema
SCHEMA=$ROOT/schemas/pricing.v1.schema.json
if [[ -f $SCHEMA ]]; then
    if ! cmp -s <("$PRICECTL" schema) "$SCHEMA"; then
        echo "warning: schemas/pricing.v1.schema.json differs from \`pricectl schema\`; timing the committed file" >&2
    fi
else
    SCHEMA=$OUT/pricing.v1.schema.json
    "$PRICECTL" schema >"$SCHEMA"
    echo "note: schemas/pricing.v1.schema.json is not committed; using \`pricectl schema\` output at $SCHEMA" >&2
fi

# ------------------------------------------------------------------ machine
{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo ' (src/ or Cargo.* modified)')"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "ram: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    echo "rustc: $(rustc --version)"
    echo "hyperfine: $(hyperfine --version)"
    echo "taplo: $("$TAPLO" --version) ($TAPLO)"
} | tee "$OUT/machine.txt"

# ------------------------------------------------------------------ catalogs
for scale in $SCALES; do
    file=$OUT/catalog-${scale}x.toml
    say "catalog ${scale}x"
    "$BENCH_BIN/generate" "$file" "$scale" --schema "$SCHEMA"
    # taplo honours a `#:schema` line even with --no-schema: the syntax-only run gets a copy
    # without it.
    tail -n +2 "$file" >"$OUT/catalog-${scale}x.noschema.toml"
    # The benchmark means nothing unless the catalog is clean for both tools.
    "$PRICECTL" validate "$file" >"$OUT/validate-${scale}x.txt" 2>&1 || true
    tail -n 1 "$OUT/validate-${scale}x.txt" >&2
    grep -q 'valid (0 errors and 0 warnings)' "$OUT/validate-${scale}x.txt" || {
        echo "catalog ${scale}x is not clean: see $OUT/validate-${scale}x.txt" >&2
        exit 1
    }
    "$TAPLO" check --schema "file://$SCHEMA" "$file" 2>/dev/null || {
        echo "taplo rejects catalog ${scale}x" >&2
        exit 1
    }
done

# ------------------------------------------------------------------ wall time
: >"$OUT/load.txt"
for scale in $SCALES; do
    load_note "before hyperfine ${scale}x"
    file=$OUT/catalog-${scale}x.toml
    say "hyperfine ${scale}x: pricectl vs the toml crate"
    hyperfine -N --style basic --warmup 3 --runs "$RUNS" \
        --export-csv "$OUT/hyperfine-${scale}x-fast.csv" \
        --export-markdown "$OUT/hyperfine-${scale}x-fast.md" \
        -n "pricectl validate" "$PRICECTL validate $file" \
        -n "toml-parse (DeTable::parse)" "$BENCH_BIN/toml-parse $file" \
        -n "toml-parse --table (toml::Table)" "$BENCH_BIN/toml-parse --table $file"
    say "hyperfine ${scale}x: taplo"
    hyperfine -N --style basic --warmup 1 --runs "$TAPLO_RUNS" \
        --export-csv "$OUT/hyperfine-${scale}x-taplo.csv" \
        --export-markdown "$OUT/hyperfine-${scale}x-taplo.md" \
        -n "taplo check --schema" "$TAPLO check --schema file://$SCHEMA $file" \
        -n "taplo check --no-schema (syntax only)" "$TAPLO check --no-schema $OUT/catalog-${scale}x.noschema.toml"
done

# ------------------------------------------------------------------ phases
for scale in $SCALES; do
    load_note "before phases ${scale}x"
    say "phases ${scale}x (in process)"
    "$BENCH_BIN/phases" "$OUT/catalog-${scale}x.toml" --runs "$PHASE_RUNS" | tee "$OUT/phases-${scale}x.md"
done

# ------------------------------------------------------------------ memory
peak_kib() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}'; }
say "peak RSS (KiB, /usr/bin/time -v)"
{
    echo "| catalog | pricectl validate KiB | toml-parse KiB | toml-parse --table KiB | taplo check --schema KiB |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    for scale in $SCALES; do
        file=$OUT/catalog-${scale}x.toml
        echo "| ${scale}x | $(peak_kib "$PRICECTL" validate "$file") | $(peak_kib "$BENCH_BIN/toml-parse" "$file") | $(peak_kib "$BENCH_BIN/toml-parse" --table "$file") | $(peak_kib "$TAPLO" check --schema "file://$SCHEMA" "$file") |"
    done
} | tee "$OUT/memory.md"

# ------------------------------------------------------------------ profile
if [[ ${BENCH_PERF:-} == 1 ]] && ! command -v perf >/dev/null 2>&1; then
    echo "warning: BENCH_PERF=1 but perf is not installed (apt-get install linux-perf); no profile" >&2
elif [[ ${BENCH_PERF:-} == 1 && -n $(echo "$SCALES" | tr ' ' '\n' | grep -x 1) ]]; then
    say "perf profile of pricectl validate, 1x (line tables, separate target dir)"
    CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_TARGET_DIR=$ROOT/bench/target/profiling \
        cargo build --release --locked --bin pricectl
    perf record -q -F 2000 --call-graph dwarf,16384 -o "$OUT/perf.data" \
        "$ROOT/bench/target/profiling/release/pricectl" validate "$OUT/catalog-1x.toml" 2>/dev/null
    perf report -i "$OUT/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
        >"$OUT/perf-report.txt"
    # Inclusive share of the front end's functions (awk, not head: no SIGPIPE under pipefail).
    grep -E '^ +[0-9]' "$OUT/perf-report.txt" |
        grep -E 'pricectl::|toml::de::parser::parse_document|BTreeMap.*Drop|choices_list' |
        grep -v '(inlined)' | awk 'NR <= 40' | cut -c1-150 | tee "$OUT/perf-top.txt"
fi

# ------------------------------------------------------------------ revenue impact
if [[ ${BENCH_IMPACT:-1} != 0 ]]; then
    events=${BENCH_IMPACT_EVENTS:-1000000}
    customers=${BENCH_IMPACT_CUSTOMERS:-10000}
    load_note "before the revenue impact"
    say "revenue impact: $events events, $customers customers, two pricings (goal: under 10 s)"
    # The binary times the replay alone and reports its peak memory; /usr/bin/time adds the
    # CPU time, which says more than the wall time while other work shares the CPUs.
    /usr/bin/time -v "$BENCH_BIN/impact" "$events" "$customers" 2>"$OUT/impact-time.txt" | tee "$OUT/impact.md"
    grep -E 'generated|User time|System time|Percent of CPU|Elapsed|Maximum resident' "$OUT/impact-time.txt" >&2
fi

# ------------------------------------------------------------------ summary
say "summary (goals: validate <= 2x bare toml parse, < taplo --schema, < 1 s)"
stat_of() { # stat_of CSV NAME COLUMN -> milliseconds (hyperfine CSV: 4 median, 7 min)
    awk -F, -v name="$2" -v col="$3" 'NR > 1 && $1 == name { printf "%.1f", $col * 1000 }' "$1"
}
{
    echo "Wall time of whole processes (hyperfine), median (fastest) in ms; ratio = validate / toml-parse."
    echo "In process = pricectl::compile / DeTable::parse, medians (bench/src/bin/phases.rs)."
    echo
    echo "| catalog | size | pricectl validate | toml-parse | ratio median (fastest) | ratio in process | taplo check --schema | taplo syntax only | validate < taplo | validate < 1 s |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    for scale in $SCALES; do
        fast=$OUT/hyperfine-${scale}x-fast.csv
        slow=$OUT/hyperfine-${scale}x-taplo.csv
        v=$(stat_of "$fast" "pricectl validate" 4)
        vmin=$(stat_of "$fast" "pricectl validate" 7)
        t=$(stat_of "$fast" "toml-parse (DeTable::parse)" 4)
        tmin=$(stat_of "$fast" "toml-parse (DeTable::parse)" 7)
        s=$(stat_of "$slow" "taplo check --schema" 4)
        n=$(stat_of "$slow" "taplo check --no-schema (syntax only)" 4)
        p=$(awk -F'|' '/^\| pricectl compile/ { gsub(/ /, "", $5); print $5 }' "$OUT/phases-${scale}x.md")
        size=$(awk '{printf "%.1f MB", $1 / 1e6}' <<<"$(wc -c <"$OUT/catalog-${scale}x.toml")")
        awk -v sc="$scale" -v size="$size" -v v="$v" -v vmin="$vmin" -v t="$t" -v tmin="$tmin" \
            -v p="$p" -v s="$s" -v n="$n" 'BEGIN {
            r = v / t
            printf "| %sx | %s | %s (%s) | %s (%s) | %.2f (%.2f) | %.2f | %s | %s | %s | %s |\n",
                sc, size, v, vmin, t, tmin, r, vmin / tmin, p, s, n,
                (v < s ? "yes" : "no"), (v < 1000 ? "yes" : "no")
        }'
    done
} | tee "$OUT/summary.md"
load_note "at the end"
echo "results in $OUT (load averages: load.txt)" >&2
