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
#[cfg(all(feature = "serve", feature = "autumn"))] // Autumn is two `pricectl serve`s
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

/// The workflow `pricectl init` writes.
fn generated_workflow() -> String {
    let context = crate::support::TestContext::new();
    let output = context.run(&["init", "--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    context.read(".github/workflows/pricing.yml")
}

#[test]
fn init_writes_the_workflow() {
    insta::assert_snapshot!(generated_workflow());
}

/// The workflow read as YAML by `PyYAML`, as JSON; `None` when `python3` has no `yaml` module
/// (the crate has no YAML parser of its own, and a workflow is worth no new dependency). In
/// CI, where `.ci/run` installs `PyYAML`, a missing module fails instead.
fn parsed_by_pyyaml(yaml: &str) -> Option<serde_json::Value> {
    use std::io::Write as _;
    use std::process::Stdio;
    let has_yaml = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_yaml {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 has no `yaml` module; `.ci/run` installs it: python3 -m pip install PyYAML==6.0.3"
        );
        return None;
    }
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(yaml.as_bytes())
        .expect("writes");
    let output = child.wait_with_output().expect("python3 ends");
    assert!(
        output.status.success(),
        "the workflow is not YAML: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("JSON"))
}

#[test]
fn the_workflow_is_yaml_with_three_jobs_and_the_live_key_never_in_a_pull_request() {
    let yaml = generated_workflow();
    assert!(!yaml.contains('\t'), "YAML is indented with spaces");
    for job in ["review", "apply", "drift"] {
        assert!(yaml.contains(&format!("\n  {job}:\n")), "job {job}");
    }
    let Some(workflow) = parsed_by_pyyaml(&yaml) else {
        eprintln!("skipped the YAML parse: python3 has no `yaml` module");
        return;
    };
    // YAML 1.1 reads the key `on` as the boolean true.
    let triggers = workflow
        .get("on")
        .or_else(|| workflow.get("true"))
        .expect("triggers");
    for trigger in ["pull_request", "push", "schedule", "workflow_dispatch"] {
        assert!(triggers.get(trigger).is_some(), "trigger {trigger}");
    }
    assert!(triggers["schedule"][0]["cron"].is_string());
    let jobs = workflow["jobs"].as_object().expect("jobs");
    assert_eq!(
        jobs.keys().map(String::as_str).collect::<Vec<_>>(),
        ["review", "apply", "drift"]
    );
    let keys_of = |job: &str| -> Vec<String> {
        let steps = jobs[job]["steps"].as_array().expect("steps");
        for step in steps {
            assert!(
                step.get("uses").is_some()
                    || (step.get("run").is_some_and(serde_json::Value::is_string)
                        && step.get("name").is_some()),
                "{job}: a step uses an action, or is a named run: {step}"
            );
        }
        steps
            .iter()
            .filter_map(|step| step["env"]["AUTUMN_SECRET_KEY"].as_str())
            .map(ToString::to_string)
            .collect()
    };
    let sandbox = "${{ secrets.AUTUMN_SANDBOX_KEY }}";
    let live = "${{ secrets.AUTUMN_LIVE_KEY }}";
    // A pull request is not reviewed yet: it never gets the live key.
    assert_eq!(keys_of("review"), [sandbox]);
    assert_eq!(keys_of("apply"), [sandbox, live, live]);
    assert_eq!(keys_of("drift"), [live]);
    assert_eq!(jobs["review"]["if"], "github.event_name == 'pull_request'");
    assert_eq!(jobs["drift"]["if"], "github.event_name == 'schedule'");
}

#[test]
fn the_workflow_reads_exactly_the_settings_init_names() {
    let yaml = generated_workflow();
    let mut read: Vec<(String, String)> = Vec::new();
    for (prefix, kind) in [("secrets.", "secret"), ("vars.", "variable")] {
        for (at, _) in yaml.match_indices(&format!("${{{{ {prefix}")) {
            let name: String = yaml[at + 4 + prefix.len()..]
                .chars()
                .take_while(|character| character.is_ascii_alphanumeric() || *character == '_')
                .collect();
            read.push((kind.to_string(), name));
        }
    }
    read.sort();
    read.dedup();
    let mut named: Vec<(String, String)> = pricectl::cli::WORKFLOW_SETTINGS
        .iter()
        .map(|(kind, name, _)| ((*kind).to_string(), (*name).to_string()))
        .collect();
    named.sort();
    assert_eq!(read, named);
    for (_, name, _) in pricectl::cli::WORKFLOW_SETTINGS {
        assert!(
            yaml.lines()
                .take_while(|line| line.starts_with('#'))
                .any(|line| line.contains(name)),
            "the workflow's header names {name}"
        );
    }
}

/// The words of a shell command line as the workflow's scripts write them: double quotes
/// joined, the variables the workflow sets given a value, and `"$@"` as the flag it may hold;
/// up to a redirection.
fn shell_words(line: &str) -> Vec<String> {
    let line = line
        .replace("\"$@\"", "--allow-destroy")
        .replace("$PRICING", "pricing.toml")
        .replace("$BASE", "0123abc");
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for character in line.chars() {
        match character {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            '>' | '|' | ';' if !quoted => break,
            _ => word.push(character),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn every_pricectl_command_the_workflow_runs_is_one_the_cli_accepts() {
    use clap::Parser as _;
    let yaml = generated_workflow();
    let commands: Vec<Vec<String>> = yaml
        .lines()
        .map(|line| line.trim_start().trim_start_matches("run: "))
        .filter(|line| line.starts_with("pricectl "))
        .map(shell_words)
        .collect();
    let mut subcommands: Vec<&str> = commands.iter().map(|words| words[1].as_str()).collect();
    subcommands.sort_unstable();
    subcommands.dedup();
    assert_eq!(
        subcommands,
        ["apply", "diff", "fmt", "plan", "test", "validate"],
        "{commands:?}"
    );
    for words in &commands {
        if let Err(error) = pricectl::cli::Cli::try_parse_from(words) {
            panic!(
                "`{}` is not a pricectl command line: {error}",
                words.join(" ")
            );
        }
    }
    // The check itself refuses what the CLI does not know.
    assert!(
        pricectl::cli::Cli::try_parse_from(shell_words("pricectl plan --drift \"$PRICING\""))
            .is_err()
    );
}
