use clap::CommandFactory;

use super::output::{print_stderr, print_stdout};
use super::{Cli, ExitStatus, ManArgs};
use crate::diagnostics::did_you_mean;

/// `pricectl man [COMMAND]`: the manual page of pricectl, or of one of its commands, as roff on
/// stdout, generated from the clap definitions (with `clap_mangen`).
pub fn man(args: &ManArgs) -> ExitStatus {
    let mut command = Cli::command();
    command.build();
    let page = match &args.command {
        None => command,
        Some(name) => {
            let Some(subcommand) = command.find_subcommand(name) else {
                let names: Vec<&str> = command
                    .get_subcommands()
                    .map(clap::Command::get_name)
                    .collect();
                let help = did_you_mean(name, names.iter().copied()).map_or_else(
                    || format!("the commands are {}", names.join(", ")),
                    |suggestion| format!("did you mean `{suggestion}`?"),
                );
                print_stderr(&format!(
                    "error: `{name}` is not a pricectl command\n  help: {help}\n"
                ));
                return ExitStatus::Usage;
            };
            subcommand.clone()
        }
    };
    let mut roff = Vec::new();
    let source = format!("pricectl {}", env!("CARGO_PKG_VERSION"));
    if let Err(error) = clap_mangen::Man::new(page).source(source).render(&mut roff) {
        super::output::report_error(&error, None);
        return ExitStatus::Failure;
    }
    print_stdout(&String::from_utf8_lossy(&roff));
    ExitStatus::Success
}
