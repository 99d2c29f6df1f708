//! Shell completions and the manual page, generated from the clap definitions.

use clap::CommandFactory;
use pricectl::cli::Cli;

use crate::support::{bind, run, stdout};

/// Every command of pricectl, as clap knows them.
fn commands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|command| command.get_name().to_string())
        .collect()
}

#[test]
fn completions_for_every_shell_name_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        assert!(output.stderr.is_empty(), "{shell}");
        let script = stdout(&output);
        for command in commands() {
            assert!(
                script.contains(&command),
                "{shell} completion lacks `{command}`"
            );
        }
    }
    // bash: each command is a word of the top-level completion list.
    let bash = stdout(&run(&["completions", "bash"]));
    let words = bash
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("opts=\"")
                .filter(|words| words.contains("validate"))
        })
        .expect("the top-level words");
    let listed: Vec<&str> = words
        .trim_end_matches('"')
        .split(' ')
        .filter(|word| !word.starts_with('-'))
        .collect();
    insta::assert_snapshot!(listed.join("\n"));
    assert!(
        bash.contains("--format") && bash.contains("github"),
        "formats complete too"
    );

    let unknown = run(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(64));
}

#[test]
fn the_manual_page_has_every_section_and_command() {
    let output = run(&["man"]);
    assert_eq!(output.status.code(), Some(0));
    let page = stdout(&output);
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq"), "roff");
    let sections: Vec<&str> = page
        .lines()
        .filter(|line| line.starts_with(".SH ") || line.starts_with(".TH "))
        .collect();
    bind(|| insta::assert_snapshot!(sections.join("\n")));
    for command in commands() {
        assert!(
            page.contains(&format!("pricectl\\-{}", command.replace('-', "\\-"))),
            "the page lists `{command}`"
        );
    }
}

#[test]
fn each_command_has_its_own_page() {
    let output = run(&["man", "diff"]);
    assert_eq!(output.status.code(), Some(0));
    bind(|| insta::assert_snapshot!(stdout(&output)));

    let unknown = run(&["man", "dif"]);
    assert_eq!(unknown.status.code(), Some(64));
    insta::assert_snapshot!(String::from_utf8_lossy(&unknown.stderr), @"
    error: `dif` is not a pricectl command
      help: did you mean `diff`?
    ");
}
