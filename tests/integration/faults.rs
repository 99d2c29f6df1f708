//! A store that fails under pricectl: zero bytes, bytes overwritten in the middle or in the
//! header, and a disk that fills. Each gives a clear error (exit 3 for the store), never a
//! panic, and never a silent loss: every event acknowledged before the disk filled is in the
//! ledger, and none more. (A read-only store and a file that is not a store are in `store.rs`.)

use std::fmt::Write as _;
use std::process::Command;

use crate::support::{TestContext, stderr};

/// `openai-credits` applied, `acme` created and 500 credits bought.
fn store_in_use() -> TestContext {
    let context = TestContext::with_example("openai-credits");
    for args in [
        &["apply", "--auto-approve", "--quiet"][..],
        &["customer", "create", "acme", "--at", "2026-01-01"],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "credit-top-up",
            "--quantity",
            "credits=500",
            "--at",
            "2026-01-01",
        ],
    ] {
        let output = context.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    context
}

/// What each kind of command says of the store `state`.
fn commands_on(context: &TestContext, state: &str) -> String {
    let mut transcripts = String::new();
    for args in [
        &["plan", "--state", state][..],
        &[
            "balance",
            "--customer",
            "acme",
            "--at",
            "2026-01-02",
            "--state",
            state,
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "o1-input-tokens",
            "--value",
            "5",
            "--at",
            "2026-01-02",
            "--state",
            state,
        ],
    ] {
        let output = context.run(args);
        assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
        transcripts.push_str(&context.transcript(args));
    }
    transcripts
}

#[test]
fn a_zero_byte_store_is_refused_by_reads_and_made_a_store_by_apply() {
    let context = TestContext::with_example("openai-credits");
    context.write("zero.db", "");
    let mut transcripts = commands_on(&context, "zero.db");
    let apply = context.run(&["apply", "--auto-approve", "--quiet", "--state", "zero.db"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    transcripts.push_str(&context.transcript(&["plan", "--state", "zero.db"]));
    context.bind(|| insta::assert_snapshot!(transcripts));
}

#[test]
fn a_store_overwritten_in_the_middle_or_the_header_fails_with_exit_3() {
    let context = store_in_use();
    let original = std::fs::read(context.path(".pricectl/local.db")).expect("reads");
    // Garbage from a fixed pattern, so the snapshot holds on every run.
    let garbage = |index: usize| u8::try_from((index * 131 + 17) % 251).expect("a byte");
    let mut middle = original.clone();
    // The middle of the file, where the catalog ends and the ledger begins: from the first
    // page of the `lots` table, which every command below reads (found from the schema, so
    // the damage stays where it was meant whatever pages later migrations add).
    let lots_page: u32 = rusqlite::Connection::open(context.path(".pricectl/local.db"))
        .expect("opens")
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'lots'",
            [],
            |row| row.get(0),
        )
        .expect("the lots table");
    let start = usize::try_from(lots_page - 1).expect("a page number") * 4096;
    assert!(start > 4096 && start < middle.len() - 8192, "{lots_page}");
    for (index, byte) in middle.iter_mut().enumerate().skip(start).take(8192) {
        *byte = garbage(index);
    }
    std::fs::write(context.path("middle.db"), &middle).expect("writes");
    let mut header = original;
    for (index, byte) in header.iter_mut().enumerate().take(4096).skip(100) {
        *byte = garbage(index);
    }
    std::fs::write(context.path("header.db"), &header).expect("writes");
    let mut transcripts = String::new();
    for state in ["middle.db", "header.db"] {
        let commands = commands_on(&context, state);
        for exit in commands.lines().filter(|line| line.starts_with("[exit")) {
            assert_eq!(exit, "[exit 3]", "{commands}");
        }
        transcripts.push_str(&commands);
    }
    context.bind(|| insta::assert_snapshot!(transcripts));
}

/// The store on a tmpfs of 1 MiB, filled until a track fails: the failure is a clear error
/// (exit 3), every track acknowledged before it is in the history and none more, and once
/// space is freed the store works again. Needs root to mount the tmpfs (in a private mount
/// namespace, gone with the process): CI runs as root and must run it; elsewhere it is
/// skipped with a note.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_fails_a_track_cleanly_and_loses_no_acknowledged_one() {
    let context = TestContext::with_example("openai-credits");
    let binary = insta_cmd::get_cargo_bin("pricectl");
    let script = format!(
        r#"set -u
P={binary}
D=$(mktemp -d)
# Outside the tmpfs: a full disk would swallow the error.
E=$PWD/error.txt
mount -t tmpfs -o size=1m tmpfs "$D" || exit 99
cp pricing.toml "$D/"
cd "$D"
$P apply --auto-approve --quiet >/dev/null || exit 98
$P customer create acme --at 2026-01-01 >/dev/null || exit 98
# Leave about 120 KB free.
head -c $(( $(df -k --output=avail . | tail -1) * 1024 - 122880 )) /dev/zero > filler
acknowledged=0
for i in $(seq 1 2000); do
  if $P track --customer acme --feature o1-input-tokens --value 1000 --at 2026-01-02 --idempotency-key "event-$i" >/dev/null 2>"$E"; then
    acknowledged=$((acknowledged + 1))
  else
    echo "exit $?"
    cat "$E"
    break
  fi
done
echo "acknowledged $acknowledged"
rm filler
echo "in the history $($P history --customer acme | grep -c usage)"
$P track --customer acme --feature o1-input-tokens --value 1000 --at 2026-01-02 --idempotency-key after >/dev/null && echo "a track after space was freed: ok"
cd /
umount "$D"
"#,
        binary = binary.display()
    );
    let output = Command::new("unshare")
        .args(["--mount", "bash", "-c", &script])
        .current_dir(context.directory())
        .env("NO_COLOR", "1")
        .output()
        .expect("unshare runs");
    if output.status.code() == Some(99)
        || !output.status.success() && stderr(&output).contains("unshare")
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must run this test: {}",
            stderr(&output)
        );
        eprintln!("skipped: a tmpfs cannot be mounted here (not root?)");
        return;
    }
    let report = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{report}{}", stderr(&output));
    let number = |prefix: &str| -> usize {
        report
            .lines()
            .find_map(|line| line.strip_prefix(prefix))
            .and_then(|count| count.trim().parse().ok())
            .unwrap_or_else(|| panic!("no `{prefix}` in:\n{report}"))
    };
    let acknowledged = number("acknowledged ");
    assert!(acknowledged > 0, "{report}");
    assert!(acknowledged < 2000, "the disk never filled:\n{report}");
    assert_eq!(number("in the history "), acknowledged, "{report}");
    let mut failure = String::new();
    for line in report
        .lines()
        .skip_while(|line| !line.starts_with("exit "))
        .take_while(|line| !line.starts_with("acknowledged "))
    {
        let _ = writeln!(failure, "{line}");
    }
    insta::assert_snapshot!(failure, @r"
    exit 3
    error: the local store `.pricectl/local.db` failed
      caused by: database or disk is full
    ");
    assert!(
        report.contains("a track after space was freed: ok"),
        "{report}"
    );
}
