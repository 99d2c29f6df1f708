//! The baseline process for `hyperfine`: read one file and parse it with the toml crate alone,
//! nothing else (docs/performance.md).
//!
//! ```text
//! toml-parse PATH            # toml::de::DeTable::parse: spanned, borrowed (what pricectl's parser builds on)
//! toml-parse --table PATH    # toml::from_str::<toml::Table>: owned values through serde
//! ```
//!
//! Exits 1 when the text is not valid TOML. Like `pricectl validate`, it reads the file,
//! parses it, drops the result and exits.

use std::process::ExitCode;

use toml::de::DeTable;

fn main() -> ExitCode {
    let mut table = false;
    let mut path = None;
    for arg in std::env::args().skip(1) {
        if arg == "--table" {
            table = true;
        } else {
            path = Some(arg);
        }
    }
    let Some(path) = path else {
        eprintln!("usage: toml-parse [--table] PATH");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let ok = if table {
        toml::from_str::<toml::Table>(&text)
            .map(|parsed| std::hint::black_box(parsed.len()))
            .map_err(|error| eprintln!("{path}: {error}"))
            .is_ok()
    } else {
        DeTable::parse(&text)
            .map(|parsed| std::hint::black_box(parsed.get_ref().len()))
            .map_err(|error| eprintln!("{path}: {error}"))
            .is_ok()
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
