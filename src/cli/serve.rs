//! `pricectl serve`: the local store behind an Autumn-compatible HTTP API (docs/serve.md).

use std::io::Write;
use std::path::Path;

use super::output::{is_quiet, print_note};
use super::{ExitStatus, ServeArgs};
use crate::reconcile::default_state_path;
use crate::serve::{ApiKey, Limits, ServeOptions, run};

pub fn serve(args: &ServeArgs) -> ExitStatus {
    let mut keys: Vec<ApiKey> = args
        .api_keys
        .iter()
        .flat_map(|keys| keys.split(','))
        .filter_map(ApiKey::new)
        .collect();
    let generated = if keys.is_empty() {
        match ApiKey::generate() {
            Ok(key) => {
                keys.push(key.clone());
                Some(key)
            }
            Err(error) => {
                super::output::print_stderr(&format!(
                    "error: no key was given and none could be generated: {error}\nhelp: give one with `--api-key am_sk_test_…` or `PRICECTL_SERVE_KEYS`\n"
                ));
                return ExitStatus::Operational;
            }
        }
    } else {
        None
    };
    let state = args
        .state
        .clone()
        .unwrap_or_else(|| default_state_path(Path::new("pricing.toml")));
    let options = ServeOptions {
        listen: args.listen,
        state: state.clone(),
        keys,
        limits: Limits::default(),
        log: !is_quiet(),
    };
    let result = run(options, |address| {
        // Data on stdout, as lines a `.env` file takes: the URL, and a generated key (shown
        // this once, never logged).
        let mut stdout = std::io::stdout().lock();
        if let Some(key) = &generated {
            let _ = writeln!(stdout, "AUTUMN_SECRET_KEY={}", key.reveal());
        }
        let _ = writeln!(stdout, "ATMN_BACKEND_URL=http://{address}");
        let _ = stdout.flush();
        print_note(&format!(
            "serving the store {} on http://{address} (Autumn API 2.x); Ctrl-C stops\n",
            state.display()
        ));
    });
    match run_result(result) {
        Ok(()) => ExitStatus::Success,
        Err(status) => status,
    }
}

fn run_result(result: Result<(), crate::serve::ServeError>) -> Result<(), ExitStatus> {
    result.map_err(|error| {
        super::output::print_stderr(&format!("error: {error}\n"));
        ExitStatus::Operational
    })
}
