//! Opening the store: commands that read never create, migrate or touch a file; a file that is
//! not a pricectl store is refused untouched; a read-only store can be read; every store error
//! names the file.

use std::path::Path;
use std::process::Command;

use crate::support::TestContext;

/// The transcript of `command` run with `args`.
fn transcript(args: &[&str], command: &mut Command) -> String {
    crate::support::transcript(args, &command.args(args).output().expect("runs"))
}

/// The files in `directory`, recursively, sorted (relative paths).
fn files_in(directory: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path.clone());
            }
            found.push(
                path.strip_prefix(directory)
                    .expect("inside")
                    .display()
                    .to_string(),
            );
        }
    }
    found.sort();
    found
}

const READS: &[&[&str]] = &[
    &["balance", "--customer", "acme"],
    &["history", "--customer", "acme"],
    &[
        "check",
        "--customer",
        "acme",
        "--feature",
        "o1-input-tokens",
    ],
    &["customer", "show", "acme"],
    &["import"],
];

const LEDGER_WRITES: &[&[&str]] = &[
    &["customer", "create", "acme"],
    &[
        "attach",
        "--customer",
        "acme",
        "--plan",
        "credit-top-up",
        "--quantity",
        "credits=500",
    ],
    &[
        "track",
        "--customer",
        "acme",
        "--feature",
        "o1-input-tokens",
        "--value",
        "10",
    ],
    &[
        "grant",
        "--customer",
        "acme",
        "--feature",
        "credits",
        "--amount",
        "5",
        "--reason",
        "welcome",
    ],
];

#[test]
fn commands_without_a_store_leave_no_store_behind() {
    let context = TestContext::with_example("openai-credits");
    let mut transcripts = String::new();
    for args in READS.iter().chain(LEDGER_WRITES) {
        let output = context.transcript(args);
        assert!(output.ends_with("[exit 3]\n"), "{output}");
        transcripts.push_str(&output);
    }
    // `plan` reads a missing store as an empty one, without creating it.
    let plan = context.transcript(&["plan", "--quiet", "--detailed-exitcode"]);
    assert!(plan.ends_with("[exit 2]\n"), "{plan}");
    assert_eq!(files_in(context.directory()), ["pricing.toml"]);
    context.bind(|| insta::assert_snapshot!(transcripts));
}

/// A small `SQLite` database of another application, in rollback-journal mode.
fn foreign_database(path: &Path) -> Vec<u8> {
    let connection = rusqlite::Connection::open(path).expect("creates");
    connection
        .execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me');")
        .expect("writes");
    drop(connection);
    std::fs::read(path).expect("reads")
}

#[test]
fn a_file_that_is_not_a_store_is_refused_untouched() {
    let context = TestContext::with_example("openai-credits");
    let foreign = context.path("notes.db");
    let notes = foreign_database(&foreign);
    context.write("notes.txt", "not a database\n");
    let mut transcripts = String::new();
    for state in ["notes.db", "notes.txt"] {
        for args in READS.iter().chain(LEDGER_WRITES) {
            let mut args = args.to_vec();
            args.extend(["--state", state]);
            let output = context.transcript(&args);
            assert!(output.ends_with("[exit 3]\n"), "{output}");
            if args[0] == "balance" || args[0] == "attach" {
                transcripts.push_str(&output);
            }
        }
        for args in [
            &["plan", "--state", state][..],
            &["apply", "--auto-approve", "--state", state],
        ] {
            let output = context.transcript(args);
            assert!(output.ends_with("[exit 3]\n"), "{output}");
            transcripts.push_str(&output);
        }
    }
    assert_eq!(
        std::fs::read(&foreign).expect("reads"),
        notes,
        "bytes changed"
    );
    assert_eq!(context.read("notes.txt"), "not a database\n");
    assert_eq!(
        files_in(context.directory()),
        ["notes.db", "notes.txt", "pricing.toml"]
    );
    context.bind(|| insta::assert_snapshot!(transcripts));
}

/// Runs as an ordinary user: as root, file permissions do not stop a write, so the test
/// drops to `nobody` (GitHub's runners are not root: there the permissions apply as they are).
fn unprivileged(directory: &Path) -> Command {
    let binary = insta_cmd::get_cargo_bin("pricectl");
    let is_root = std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(1) == Some("0"))
    });
    let mut command = if is_root {
        let mut command = Command::new("setpriv");
        command.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"]);
        command.arg(binary);
        command
    } else {
        Command::new(binary)
    };
    command
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    command
}

#[cfg(unix)]
#[test]
fn a_read_only_store_can_be_read_and_is_not_written() {
    use std::os::unix::fs::PermissionsExt;

    let context = TestContext::with_example("openai-credits");
    let directory = context.directory();
    let setup = |args: &[&str]| {
        let output = context.transcript(args);
        assert!(output.ends_with("[exit 0]\n"), "{output}");
    };
    setup(&["apply", "--auto-approve", "--quiet"]);
    setup(&["customer", "create", "acme", "--at", "2026-01-01"]);
    setup(&[
        "attach",
        "--customer",
        "acme",
        "--plan",
        "credit-top-up",
        "--quantity",
        "credits=500",
        "--at",
        "2026-01-01",
    ]);
    let store = context.path(".pricectl/local.db");
    let bytes = std::fs::read(&store).expect("reads");
    let permissions = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    permissions(directory, 0o755);
    permissions(&store, 0o444);
    permissions(&directory.join(".pricectl"), 0o555);
    let mut transcripts = String::new();
    for args in READS.iter().filter(|args| args[0] != "import") {
        let mut args = args.to_vec();
        args.extend(["--at", "2026-01-02"]);
        let output = transcript(&args, &mut unprivileged(directory));
        assert!(output.ends_with("[exit 0]\n"), "{output}");
        transcripts.push_str(&output);
    }
    let plan = transcript(&["plan"], &mut unprivileged(directory));
    assert!(plan.contains("No changes."), "{plan}");
    let track = transcript(LEDGER_WRITES[2], &mut unprivileged(directory));
    assert!(track.ends_with("[exit 3]\n"), "{track}");
    transcripts.push_str(&track);
    permissions(&directory.join(".pricectl"), 0o755);
    assert_eq!(
        std::fs::read(&store).expect("reads"),
        bytes,
        "bytes changed"
    );
    assert_eq!(files_in(&directory.join(".pricectl")), ["local.db"]);
    context.bind(|| insta::assert_snapshot!(transcripts));
}
