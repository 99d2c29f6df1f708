//! `pricectl diff OLD NEW` (files, directories, `git:REV[:PATH]`), `--format github` for `plan`
//! and `diff`, and the job summary they write on GitHub Actions.

use std::fmt::Write as _;
use std::process::Command;

use crate::support::{TestContext, example, stderr, stdout};

/// A git repository in the context's directory, with a first commit of `pricing.toml`
/// holding `text`.
fn repository(text: &str) -> TestContext {
    let context = TestContext::new();
    git(&context, &["init", "--quiet", "--initial-branch=main"]);
    commit(&context, &[("pricing.toml", text)], "first");
    context
}

fn commit(context: &TestContext, files: &[(&str, &str)], message: &str) {
    for (name, text) in files {
        context.write(name, text);
    }
    git(context, &["add", "--all"]);
    git(
        context,
        &["commit", "--quiet", "--no-gpg-sign", "-m", message],
    );
}

fn git(context: &TestContext, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(context.directory())
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn openai() -> String {
    example("openai-credits")
}

/// The example with o3 input dearer, and without o1 output tokens (a delete).
fn dearer_without_o1_output() -> String {
    let text = openai().replace(
        "o3-input-tokens  = { credits = 1000,",
        "o3-input-tokens  = { credits = 1200,",
    );
    let start = text.find("[features.o1-output-tokens]").expect("o1 output");
    let end = text.find("[features.o3-input-tokens]").expect("o3 input");
    let text = format!("{}{}", &text[..start], &text[end..]);
    let text = text.replace(
        "o1-output-tokens = { credits = 6000, per = 1_000_000 }  # $60 per 1M tokens\n",
        "",
    );
    assert_ne!(text, openai());
    text
}

fn git_available() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}

#[test]
fn two_files_in_every_format() {
    let repository = TestContext::new();
    repository.write("old.toml", &openai());
    repository.write("new.toml", &dearer_without_o1_output());
    let args = ["diff", "old.toml", "new.toml"];
    let text = repository.run(&[&args[..], &["--detailed-exitcode"]].concat());
    assert_eq!(text.status.code(), Some(2), "{}", stderr(&text));
    assert_eq!(stderr(&text), "");
    repository.bind(|| {
        insta::assert_snapshot!("diff_text", stdout(&text));
        for format in ["markdown", "json", "github"] {
            let output = repository.run(&[&args[..], &["--format", format]].concat());
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            assert_eq!(stderr(&output), "");
            insta::assert_snapshot!(format!("diff_{format}"), stdout(&output));
        }
    });
}

#[test]
fn no_changes_between_equal_versions() {
    let repository = TestContext::new();
    repository.write("old.toml", &openai());
    repository.write("new/pricing.toml", &openai());
    let output = repository.run(&["diff", "--detailed-exitcode", "old.toml", "new"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&output), @"No changes. old.toml and new compile to the same catalog.");
    let markdown = repository.run(&["diff", "--format", "markdown", "old.toml", "new"]);
    insta::assert_snapshot!(stdout(&markdown), @r"
    <!-- pricectl-plan -->
    ## pricectl diff

    From `old.toml` to `new`.

    No changes. `old.toml` and `new` compile to the same catalog.
    ");
}

#[test]
fn both_sides_report_their_diagnostics() {
    let repository = TestContext::new();
    repository.write(
        "old.toml",
        "version = 1\ncurrency = \"USD\"\n[features.a]\ntype = \"meterd\"\n",
    );
    repository.write(
        "new.toml",
        "version = 1\ncurrency = \"USD\"\nfeatures = 3\n",
    );
    let output = repository.run(&["diff", "old.toml", "new.toml"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let report = stderr(&output);
    assert!(report.contains("old.toml: invalid (1 error"), "{report}");
    assert!(report.contains("new.toml: invalid (1 error"), "{report}");
    let missing = repository.run(&["diff", "missing.toml", "new.toml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).starts_with("error: `missing.toml` does not exist"));
}

#[test]
fn git_revisions_of_a_file_and_a_directory() {
    if !git_available() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let repository = repository(&openai());
    commit(
        &repository,
        &[("pricing.toml", &dearer_without_o1_output())],
        "second",
    );
    // The working tree against the commit before: what a pull request changes.
    let output = repository.run(&["diff", "git:HEAD~1", "pricing.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected = repository.run(&["diff", "git:HEAD~1", "git:HEAD"]);
    assert_eq!(
        stdout(&output).lines().skip(1).collect::<Vec<_>>(),
        stdout(&expected).lines().skip(1).collect::<Vec<_>>()
    );
    insta::assert_snapshot!(stdout(&output).lines().next().unwrap(), @"From git:HEAD~1:pricing.toml to pricing.toml, the catalog changes as follows:");

    // A pricing directory, read from a subdirectory: PATH is relative to where pricectl runs.
    let dearer = dearer_without_o1_output();
    let split = dearer.find("[credit_systems.credits]").expect("credits");
    commit(
        &repository,
        &[
            ("prices/a.toml", &dearer[..split]),
            (
                "prices/b.toml",
                &format!("version = 1\n{}", &dearer[split..]),
            ),
            ("prices/b.scenario.toml", "not pricing"),
        ],
        "a directory",
    );
    let output = repository.run_in(
        "prices",
        &[
            "diff",
            "git:HEAD~2:../pricing.toml",
            "git:HEAD:.",
            "--format",
            "github",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Annotations name files from the repository root; an object removed from a directory has
    // no file of its own.
    let annotations: Vec<&str> = output
        .stdout
        .split(|byte| *byte == b'\n')
        .map(|line| std::str::from_utf8(line).expect("utf-8"))
        .take_while(|line| !line.starts_with("::stop-commands::"))
        .collect();
    insta::assert_snapshot!(annotations.join("\n"), @"
    ::warning title=pricectl%3A destructive change::delete feature.o1-output-tokens: removed from the pricing (applying it needs --allow-destroy)
    ::warning file=prices/b.toml,line=8,col=1,endLine=8,endColumn=15,title=pricectl%3A price increase::o3 input tokens via credits in credit-top-up: $10.00 → $12.00 per 1M o3 input tokens (+20.0%25)
    ");
}

#[test]
fn git_errors_are_clear() {
    if !git_available() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let repository = repository(&openai());
    let unknown = repository.run(&["diff", "git:no-such-branch", "pricing.toml"]);
    assert_eq!(unknown.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&unknown), @"
    error: the revision `no-such-branch` does not exist in this git repository
      help: name a commit, branch or tag that exists here (a shallow clone may lack it: fetch it first)
    ");
    let missing = repository.run(&["diff", "git:HEAD:prices/pricing.toml", "pricing.toml"]);
    assert_eq!(missing.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&missing), @"
    error: `prices/pricing.toml` does not exist at the revision `HEAD`
      help: name the pricing file or directory with `git:REV:PATH`
    ");
    let syntax = repository.run(&["diff", "git::pricing.toml", "pricing.toml"]);
    assert_eq!(syntax.status.code(), Some(64), "a usage error");
    insta::assert_snapshot!(stderr(&syntax), @"
    error: invalid value 'git::pricing.toml' for '<OLD>': `git::pricing.toml` names no revision: write `git:REV` or `git:REV:PATH`, such as `git:main:pricing.toml`

    For more information, try '--help'.
    ");

    let outside = TestContext::new();
    outside.write("pricing.toml", &openai());
    let not_a_repository = outside.run(&["diff", "git:HEAD", "pricing.toml"]);
    assert_eq!(not_a_repository.status.code(), Some(1));
    assert!(
        stderr(&not_a_repository)
            .starts_with("error: the current directory is not inside a git repository"),
        "{}",
        stderr(&not_a_repository)
    );
}

#[test]
fn plan_annotates_the_pricing_for_github() {
    let repository = TestContext::new();
    repository.write("pricing.toml", &openai());
    let applied = repository.run(&["apply", "--auto-approve"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    repository.write("pricing.toml", &dearer_without_o1_output());
    let output = repository.run(&["plan", "--format", "github", "--detailed-exitcode"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    repository.bind(|| insta::assert_snapshot!(stdout(&output)));
}

#[test]
fn plan_and_diff_write_the_job_summary_in_every_format() {
    let repository = TestContext::new();
    repository.write("old.toml", &openai());
    repository.write("pricing.toml", &dearer_without_o1_output());
    let summary = repository.path("summary.md");
    let run = |args: &[&str]| {
        let output = repository
            .command()
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(args)
            .output()
            .expect("pricectl runs");
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::read_to_string(&summary).unwrap_or_default()
    };
    let markdown =
        stdout(&repository.run(&["diff", "--format", "markdown", "old.toml", "pricing.toml"]));
    for format in ["text", "json", "markdown", "github"] {
        std::fs::remove_file(&summary).ok();
        let written = run(&["diff", "--format", format, "old.toml", "pricing.toml"]);
        assert_eq!(written, format!("{markdown}\n"), "diff --format {format}");
    }
    // One plan shown twice in one step is summarized once; another plan is appended.
    let twice = run(&["diff", "--format", "github", "old.toml", "pricing.toml"]);
    assert_eq!(twice, format!("{markdown}\n"));
    let plan = run(&["plan", "--format", "json", "-q"]);
    assert!(
        plan.starts_with(&format!(
            "{markdown}\n<!-- pricectl-plan -->\n## pricectl plan\n"
        )),
        "{plan}"
    );

    // A summary that cannot be written is a warning, not a failure.
    let output = repository
        .command()
        .env(
            "GITHUB_STEP_SUMMARY",
            repository.path("no/such/directory/summary.md"),
        )
        .args(["diff", "old.toml", "pricing.toml"])
        .output()
        .expect("pricectl runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).starts_with("warning: could not write the job summary to"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_summary_of_a_huge_diff_stays_within_the_caps() {
    let mut huge = String::from("version = 1\ncurrency = \"USD\"\n");
    for index in 0..3_000 {
        let _ = write!(
            huge,
            "\n[features.model-{index:05}-tokens]\nname = \"Model {index:05} tokens, a feature with a long descriptive name\"\ntype = \"metered\"\n"
        );
    }
    let repository = TestContext::new();
    repository.write("old.toml", "version = 1\ncurrency = \"USD\"\n");
    repository.write("new.toml", &huge);
    let summary = repository.path("summary.md");
    let output = repository
        .command()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["diff", "--format", "json", "old.toml", "new.toml"])
        .output()
        .expect("pricectl runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let written = std::fs::read_to_string(&summary).expect("a summary");
    assert!(
        written.len() <= pricectl::render::MARKDOWN_LIMIT + 1,
        "{} bytes",
        written.len()
    );
    assert!(written.len() <= pricectl::render::STEP_SUMMARY_LIMIT);
    assert!(written.contains("Run `pricectl diff old.toml new.toml` locally for the full plan."));
}

/// A review of a repricing, as the issue tells it: Pro from $20 to $25 a month, 400 credits
/// included instead of 500, extra seats $10 instead of $5, a new description. Every change to
/// what customers pay or get is up front, prices name their unit and interval, the
/// description reads word by word, and a diff (no live system, so no customers known) does
/// not claim the plan is changed in place.
#[test]
fn a_repricing_shows_every_change_customers_feel() {
    let old = example("saas-seats-credits");
    let new = old
        .replace(
            "price = { amount = 20, interval = \"month\" }",
            "price = { amount = 25, interval = \"month\" }",
        )
        .replace("included = 500\n", "included = 400\n")
        .replace(
            "price = { amount = 5, billing = \"prepaid\", interval = \"month\" }",
            "price = { amount = 10, billing = \"prepaid\", interval = \"month\" }",
        )
        .replace(
            "description = \"For teams: 500 credits a month, 3 seats and SSO.\"",
            "description = \"For growing teams: 400 credits a month, 3 seats and SSO.\"",
        );
    assert_ne!(new, old);
    let context = TestContext::new();
    context.write("old.toml", &old);
    context.write("new.toml", &new);
    let text = context.run(&["diff", "old.toml", "new.toml"]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let markdown = context.run(&["diff", "old.toml", "new.toml", "--format", "markdown"]);
    let github = context.run(&["diff", "old.toml", "new.toml", "--format", "github"]);
    context.bind(|| {
        insta::assert_snapshot!("repricing_text", stdout(&text));
        insta::assert_snapshot!("repricing_markdown", stdout(&markdown));
        insta::assert_snapshot!("repricing_github", stdout(&github));
    });
}
