//! The GitHub Actions workflow of docs/ci/pricing.yml: its steps run locally in order by
//! `scripts/ci-workflow-local.sh`, and docs/ci.md shows it as it is.

use std::process::Command;

use crate::support::root;

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn the_workflow_runs_locally_as_on_github() {
    if !available("bash") || !available("git") {
        eprintln!("skipped: the workflow script needs bash and git");
        return;
    }
    let output = Command::new("bash")
        .arg(root().join("scripts/ci-workflow-local.sh"))
        .env("PRICECTL", insta_cmd::get_cargo_bin("pricectl"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("bash runs");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "scripts/ci-workflow-local.sh failed:\n{log}\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(
        log.ends_with("every step of docs/ci/pricing.yml ran as expected\n"),
        "{log}"
    );
}

#[test]
fn docs_show_the_workflow_as_it_is() {
    let workflow = std::fs::read_to_string(root().join("docs/ci/pricing.yml")).expect("workflow");
    let docs = std::fs::read_to_string(root().join("docs/ci.md")).expect("docs/ci.md");
    let start = docs.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = docs[start..].find("\n```").expect("closed") + start + 1;
    assert_eq!(
        &docs[start..end],
        workflow,
        "docs/ci.md embeds docs/ci/pricing.yml verbatim"
    );
    assert!(
        docs.contains("<!-- pricectl-plan -->"),
        "docs/ci.md names the comment's marker"
    );
}
