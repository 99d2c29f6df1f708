use super::output::{print_stderr, print_stdout};
use super::{ExitStatus, ExplainArgs};
use crate::diagnostics::{Code, did_you_mean};

/// The diagnostic reference; `explain` prints one section of it.
const DIAGNOSTICS_DOC: &str = include_str!("../../docs/diagnostics.md");

/// `pricectl explain CODE`.
pub fn explain(args: &ExplainArgs) -> ExitStatus {
    let Some(code) = Code::from_name(&args.code) else {
        // Compare short names, so the shared `pricectl::` prefix does not make every code look close.
        let short = |name: &'static str| name.strip_prefix("pricectl::").unwrap_or(name);
        let names = Code::ALL.iter().map(|code| short(code.name()));
        let asked = args.code.strip_prefix("pricectl::").unwrap_or(&args.code);
        let help = match did_you_mean(asked, names) {
            Some(suggestion) => format!("did you mean `pricectl::{suggestion}`?"),
            None => "see docs/diagnostics.md for every code".to_string(),
        };
        print_stderr(&format!(
            "error: `{}` is not a pricectl diagnostic code\n  help: {help}\n",
            args.code
        ));
        return ExitStatus::Failure;
    };
    if let Some(text) = explanation(code) {
        print_stdout(&text);
        ExitStatus::Success
    } else {
        print_stderr(&format!(
            "error: `{code}` has no documentation in this build\n"
        ));
        ExitStatus::Failure
    }
}

/// The section of docs/diagnostics.md about `code`: from its `## ` heading to the next.
pub fn explanation(code: Code) -> Option<String> {
    let heading = format!("## `{}`", code.name());
    let start = DIAGNOSTICS_DOC.find(&format!("\n{heading}\n"))? + 1;
    let rest = &DIAGNOSTICS_DOC[start..];
    let end = rest[heading.len()..]
        .find("\n## ")
        .map_or(rest.len(), |offset| offset + heading.len() + 1);
    let mut section = rest[..end].trim_end().to_string();
    section.push('\n');
    Some(section)
}
