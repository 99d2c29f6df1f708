//! The fuzz targets' inputs in `cargo test`: every file saved in `fuzz/regressions/TARGET/` (an
//! input that once crashed pricectl, kept when it was fixed) goes through the function that
//! target calls, `fuzz/src/targets.rs`, included here as it is. The fuzzing itself runs apart
//! (`fuzz/run`, docs/reliability.md).

#[path = "../../fuzz/src/targets.rs"]
mod targets;

use std::path::PathBuf;

use crate::support::root;

/// What a fuzz target does with its bytes.
type Target = fn(&[u8]);

/// The targets, as `fuzz/run` names them.
const TARGETS: &[(&str, Target)] = &[
    ("pricing", targets::pricing),
    ("scenario", targets::scenario),
    ("usage", targets::usage),
    ("saved_plan", targets::saved_plan),
    ("serve", targets::serve),
];

fn saved_inputs(target: &str) -> Vec<PathBuf> {
    let folder = root().join("fuzz/regressions").join(target);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(|entry| Some(entry.ok()?.path()))
                .collect()
        })
        .unwrap_or_default();
    inputs.retain(|path| path.is_file());
    inputs.sort();
    inputs
}

#[test]
fn every_saved_fuzz_input_is_handled() {
    let mut replayed = 0;
    for (target, run) in TARGETS {
        for input in saved_inputs(target) {
            let data = std::fs::read(&input).expect("the input is read");
            eprintln!("{target}: {}", input.display());
            run(&data);
            replayed += 1;
        }
    }
    eprintln!("{replayed} saved inputs replayed");
}

#[test]
fn the_targets_reach_the_code_they_fuzz() {
    // A pricing that compiles goes through fmt and compiles again; one that does not is
    // rendered in every format.
    let example = crate::support::example("saas-seats-credits");
    targets::pricing(example.as_bytes());
    targets::pricing(b"[features.x]\ntype = \"metred\"\n");
    // The server answers each request of a connection on a store holding the pricing.
    let key = targets::SERVE_KEY;
    let request = |route: &str, body: &str| {
        format!(
            "POST /v1/{route} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {key}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let connection = [
        request("customers.get_or_create", r#"{"customer_id":"u1"}"#),
        request(
            "balances.track",
            r#"{"customer_id":"u1","feature_id":"ai-messages","value":3}"#,
        ),
        request("nothing.here", "{}"),
    ]
    .concat();
    let answer = targets::serve_answer(connection.as_bytes());
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(targets::statuses(&answer), [200, 200, 404], "{text}");
    assert!(text.contains(r#""remaining":47"#), "{text}");
}
