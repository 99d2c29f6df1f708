#!/usr/bin/env bash
# Runs the GitHub Actions workflow docs/ci/pricing.yml locally: the `run:` script of each of its
# steps, read from the workflow itself, in order, the way GitHub runs it
# (`bash --noprofile --norc -eo pipefail`), in a temporary git repository made from an example
# pricing. It fails on any exit status the workflow does not expect, and when the workflow has
# a step it neither runs nor skips on purpose.
#
# Autumn is two `pricectl serve`s on loopback ports, one for the sandbox key and one for the
# live key; the workflow's steps reach them through AUTUMN_API_URL.
#
# The story: main has the pricing and applies it to the sandbox, then to live; the schedule
# finds no drift; a pull request raises a price and removes a feature; it is reviewed
# (validate, layout, scenarios, diff against the base, plan against the sandbox, one comment
# posted then updated; without the sandbox key, the diff alone); it is merged, and main's
# apply refuses the delete until it is run by hand with "allow destroy"; then someone changes
# live by hand, and the schedule fails with exit 2, naming what drifted.
#
#   scripts/ci-workflow-local.sh [EXAMPLE]   an example of pricing-examples/ (openai-credits)
#   PRICECTL=path/to/pricectl                the binary to run (built with cargo when unset)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
workflow=$root/docs/ci/pricing.yml
example=$root/pricing-examples/${1:-openai-credits}
if [ -z "${PRICECTL:-}" ]; then
  cargo build --quiet --manifest-path "$root/Cargo.toml"
  PRICECTL=$root/target/debug/pricectl
fi

work=$(mktemp -d)
servers=()
stop_servers() {
  for pid in "${servers[@]}"; do kill "$pid" 2> /dev/null || true; done
  rm -rf "$work"
}
trap stop_servers EXIT
mkdir -p "$work/bin" "$work/repository" "$work/autumn" "$work/gh" "$work/by-hand"

# `pricectl` on PATH is the binary under test; `gh` records the comment instead of posting it.
ln -s "$PRICECTL" "$work/bin/pricectl"
cat > "$work/bin/gh" <<'GH'
#!/usr/bin/env bash
# A stand-in for `gh api`: one pull request, whose comment is a file.
set -euo pipefail
method=GET body=
while [ $# -gt 0 ]; do
  case $1 in
    --method) method=$2; shift 2 ;;
    -F) body=${2#body=@}; shift 2 ;;
    *) shift ;;
  esac
done
case $method in
  # The workflow's --jq selects the bot's comment that starts with the marker.
  GET) if [ -f "$FAKE_GH/comment.md" ] && [ "$(head -n 1 "$FAKE_GH/comment.md")" = "<!-- pricectl-plan -->" ]; then echo 1; fi ;;
  POST | PATCH) cp "$body" "$FAKE_GH/comment.md"; echo "$method" >> "$FAKE_GH/log" ;;
esac
GH
chmod +x "$work/bin/gh"

export PATH="$work/bin:$PATH"
export FAKE_GH=$work/gh
export NO_COLOR=1
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com
# The workflow's environment (`env:` at its top, and what GitHub sets).
export PRICING=pricing.toml
export PRICECTL_GIT=https://git.example.com/pricectl
export GITHUB_REPOSITORY=example/pricing
unset AUTUMN_SECRET_KEY AUTUMN_API_URL

# Starts a `pricectl serve` for the key $2 and sets the variable $3 to its URL; $1 names its
# store.
start_autumn() {
  "$PRICECTL" serve --listen 127.0.0.1:0 --state "$work/autumn/$1.db" --api-key "$2" \
    > "$work/autumn/$1.out" 2> "$work/autumn/$1.log" &
  servers+=("$!")
  local url=
  for _ in $(seq 1 600); do
    url=$(sed -n 's/^ATMN_BACKEND_URL=//p' "$work/autumn/$1.out")
    if [ -n "$url" ]; then break; fi
    sleep 0.1
  done
  [ -n "$url" ] || fail "pricectl serve ($1) did not start: $(cat "$work/autumn/$1.log")"
  printf -v "$3" '%s' "$url"
}
sandbox_key=am_sk_test_ci_sandbox
live_key=am_sk_live_ci_live

# What GitHub passes from the workflow's secrets, and where this script's Autumn is.
sandbox() { AUTUMN_SECRET_KEY=$sandbox_key AUTUMN_API_URL=$sandbox_url "$@"; }
live() { AUTUMN_SECRET_KEY=$live_key AUTUMN_API_URL=$live_url "$@"; }
cd "$work/repository"

# The `run:` script of the step named $2 of the job $1.
run_script() {
  awk -v job="$1" -v step="$2" '
    function indent(line) { match(line, /^ */); return RLENGTH }
    inrun {
      if ($0 ~ /^ *$/) { print ""; next }
      if (indent($0) > runindent) {
        if (!bodyindent) bodyindent = indent($0)
        print substr($0, bodyindent + 1)
        next
      }
      inrun = 0
    }
    /^  [A-Za-z0-9_-]+:/ { injob = ($0 == "  " job ":"); instep = 0; next }
    !injob { next }
    /^ *- / {
      name = $0
      instep = sub(/^ *- name: /, "", name) && name == step
    }
    instep && /^ *run: / {
      found = 1
      runindent = indent($0)
      value = $0
      sub(/^ *run: */, "", value)
      if (value == "|") { inrun = 1; bodyindent = 0 } else print value
    }
    END { if (!found) exit 1 }
  ' "$workflow"
}

# Every step name of the job $1.
step_names() {
  awk -v job="$1" '
    /^  [A-Za-z0-9_-]+:/ { injob = ($0 == "  " job ":"); next }
    injob && /^ *- name: / { sub(/^ *- name: /, ""); print }
  ' "$workflow"
}

fail() {
  echo "ci-workflow-local: $*" >&2
  exit 1
}

start_autumn sandbox "$sandbox_key" sandbox_url
start_autumn live "$live_key" live_url

covered=$work/covered
touch "$covered"

# Runs a step of the workflow; fails unless it exits with $3.
step() {
  local job=$1 name=$2 want=$3 script got=0
  script=$(run_script "$job" "$name") || { echo "ci-workflow-local: no step \"$name\" in job $job" >&2; exit 1; }
  case $script in
    *'${{'*) echo "ci-workflow-local: step \"$name\" uses an expression in its script; pass it through env:" >&2; exit 1 ;;
  esac
  printf '\n== %s: %s\n' "$job" "$name" >&2
  export GITHUB_STEP_SUMMARY=$work/summary.md
  : > "$GITHUB_STEP_SUMMARY"
  bash --noprofile --norc -eo pipefail -c "$script" > "$work/stdout" 2> "$work/stderr" || got=$?
  cat "$work/stdout"
  cat "$work/stderr" >&2
  if [ "$got" -ne "$want" ]; then
    echo "ci-workflow-local: step \"$name\" of job $job exited $got, expected $want" >&2
    exit 1
  fi
  echo "$job: $name" >> "$covered"
}

# A step that cannot run here, skipped on purpose.
skip() {
  run_script "$1" "$2" > /dev/null || { echo "ci-workflow-local: no step \"$2\" in job $1" >&2; exit 1; }
  printf '\n== %s: %s (skipped: %s)\n' "$1" "$2" "$3" >&2
  echo "$1: $2" >> "$covered"
}

# ---------------------------------------------------------------- main before the change

git init --quiet --initial-branch=main
git commit --quiet --allow-empty -m "start"
start=$(git rev-parse HEAD)

cp "$example"/pricing.toml .
find "$example" -maxdepth 1 -name '*.scenario.toml' -exec cp {} . \;
if [ -d "$example/scenarios" ]; then cp -R "$example/scenarios" .; fi
# Objects of this script's own, so the scenarios of the example are not what changes.
cat >> pricing.toml <<'TOML'

[features.ci-batch-jobs]
name = "Batch jobs"
type = "metered"

[features.ci-legacy-jobs]
name = "Legacy jobs"
type = "metered"

[plans.ci-batch]
name = "Batch"
add_on = true

[plans.ci-batch.items.ci-batch-jobs]
included = 10
reset = "month"
price = { amount = 1, billing = "usage", interval = "month" }

[plans.ci-batch.items.ci-legacy-jobs]
included = 10
reset = "month"
price = { amount = 1, billing = "usage", interval = "month" }
TOML
pricectl fmt "$PRICING" 2> /dev/null
git add --all
git commit --quiet -m "pricing"
base=$(git rev-parse HEAD)

skip apply "Install pricectl" "pricectl is on PATH"
step apply "Validate" 0
step apply "Run the scenarios" 0
ALLOW_DESTROY=false sandbox step apply "Apply to the Autumn sandbox" 0
live step apply "Plan against live, saved with this commit's pricing" 0
grep -q 'LIVE' "$work/stdout" || fail "the plan against live does not say it is live"
ALLOW_DESTROY=false live step apply "Apply the saved plan to live" 0

# The schedule: live matches main.
skip drift "Install pricectl" "pricectl is on PATH"
live step drift "Plan against live, failing on drift" 0

# ---------------------------------------------------------------- the pull request

git checkout --quiet -b dearer-batch-jobs
sed -i.orig -e '/^\[plans.ci-batch.items.ci-batch-jobs\]/,/^price/ s/amount = 1,/amount = 2,/' pricing.toml
awk '
  /^\[features.ci-legacy-jobs\]/ || /^\[plans.ci-batch.items.ci-legacy-jobs\]/ { dropping = 1; next }
  /^\[/ { dropping = 0 }
  !dropping
' pricing.toml > pricing.toml.new
mv pricing.toml.new pricing.toml
rm -f pricing.toml.orig
pricectl fmt "$PRICING" 2> /dev/null
git commit --quiet --all -m "dearer batch jobs, no legacy jobs"

export GH_TOKEN=unused PR=7
skip review "Install pricectl" "pricectl is on PATH"
step review "Validate" 0
step review "Check the layout" 0
step review "Run the scenarios" 0
for push in first second; do
  BASE=$base step review "Diff against the base branch" 0
  grep -q '^::warning file=pricing.toml,line=[0-9]*,.*title=pricectl%3A price increase::Batch jobs in ci-batch' "$work/stdout" ||
    fail "the diff did not annotate the price increase at its line"
  grep -q '^::warning file=pricing.toml,title=pricectl%3A destructive change::delete feature.ci-legacy-jobs' "$work/stdout" ||
    fail "the diff did not annotate the deleted feature on the file"
  [ "$(grep -c '^## pricectl diff' "$GITHUB_STEP_SUMMARY")" -eq 1 ] ||
    fail "the job summary should hold the diff once"
  [ "$(head -n 1 pricing-diff.md)" = "<!-- pricectl-plan -->" ] || fail "the diff comment has no marker"

  sandbox step review "Plan against the Autumn sandbox" 0
  grep -q '^## pricectl plan' pricing-plan.md || fail "no plan against the sandbox"
  step review "Comment the plan, updating the previous comment" 0
  echo "$push push: $(tail -n 1 "$FAKE_GH/log")" >&2
done
[ "$(tr '\n' ' ' < "$FAKE_GH/log")" = "POST PATCH " ] ||
  fail "the first push should post the comment and the second update it: $(cat "$FAKE_GH/log")"
cmp -s "$FAKE_GH/comment.md" pricing-plan.md || fail "the comment is not the plan"
grep -q 'Batch jobs in `ci-batch`: \$1.00 → \$2.00 per unit per month (+100.0%)' "$FAKE_GH/comment.md" ||
  fail "the comment does not call out the price increase"

# Without the sandbox key (not set yet), the review is the diff: a note, not a failure.
rm -f pricing-plan.md
AUTUMN_SECRET_KEY= step review "Plan against the Autumn sandbox" 0
grep -q 'No `AUTUMN_SANDBOX_KEY` secret' "$GITHUB_STEP_SUMMARY" || fail "no note for a missing sandbox key"
[ ! -e pricing-plan.md ] || fail "a plan without a key"

# A pull request to a branch that has no pricing yet: nothing to compare, not a failure.
rm -f pricing-diff.md
BASE=$start step review "Diff against the base branch" 0
grep -q 'The base branch has no `pricing.toml`' "$GITHUB_STEP_SUMMARY" || fail "no note for a base without pricing"
[ ! -e pricing-diff.md ] || fail "a diff without a base"

# ---------------------------------------------------------------- merged: main applies

rm -f pricing-diff.md pricing-plan.md
git checkout --quiet main
git merge --quiet --ff-only dearer-batch-jobs
step apply "Validate" 0
step apply "Run the scenarios" 0
# The delete is refused on push, in the sandbox first...
ALLOW_DESTROY=false sandbox step apply "Apply to the Autumn sandbox" 1
live step apply "Plan against live, saved with this commit's pricing" 0
grep -q '^::warning .*destructive change::delete feature.ci-legacy-jobs' "$work/stdout" ||
  fail "the plan on main did not annotate the delete"
ALLOW_DESTROY=false live step apply "Apply the saved plan to live" 1
# ...and applied when run by hand with "allow destroy".
ALLOW_DESTROY=true sandbox step apply "Apply to the Autumn sandbox" 0
ALLOW_DESTROY=true live step apply "Apply the saved plan to live" 0
live step drift "Plan against live, failing on drift" 0

# ---------------------------------------------------------------- someone changes live by hand

sed -e '/^\[plans.ci-batch.items.ci-batch-jobs\]/,/^price/ s/amount = 2,/amount = 3,/' pricing.toml > "$work/by-hand/pricing.toml"
cmp -s pricing.toml "$work/by-hand/pricing.toml" && fail "the change by hand changed nothing"
live pricectl apply --backend autumn --auto-approve --quiet "$work/by-hand/pricing.toml" > /dev/null
live step drift "Plan against live, failing on drift" 2
grep -q '^The live catalog differs from the pricing in 1 object: update plan.ci-batch.$' "$work/stderr" ||
  fail "the drift check does not name what drifted"
grep -q '^## pricectl plan' "$GITHUB_STEP_SUMMARY" || fail "the job summary does not show the drift"

# Every step of the workflow was run or skipped on purpose.
for job in review apply drift; do
  while IFS= read -r name; do
    grep -qxF "$job: $name" "$covered" || fail "the workflow's step \"$name\" (job $job) is not run by this script"
  done < <(step_names "$job")
done
echo "ci-workflow-local: every step of docs/ci/pricing.yml ran as expected" >&2
