use clap::CommandFactory;

use super::output::print_stdout;
use super::{Cli, CompletionsArgs, ExitStatus};

/// `pricectl completions SHELL`: a completion script generated from the clap definitions (with
/// `clap_complete`), on stdout.
pub fn completions(args: &CompletionsArgs) -> ExitStatus {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "pricectl", &mut script);
    print_stdout(&String::from_utf8_lossy(&script));
    ExitStatus::Success
}
