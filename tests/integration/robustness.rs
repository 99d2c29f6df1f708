//! The compiler never panics: truncations and byte mutations of every example and fixture
//! give a clean result or diagnostics, and every report renders.

use std::path::PathBuf;

use pricectl::dsl::SourceSet;

use crate::support::{TestContext, examples, human_report, json_report, root, stderr};

fn corpus() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for example in examples() {
        let path = example.join("pricing.toml");
        files.push((
            path.clone(),
            std::fs::read_to_string(&path).expect("example"),
        ));
    }
    let mut stack = vec![root().join("tests/fixtures/invalid")];
    while let Some(directory) = stack.pop() {
        for entry in std::fs::read_dir(&directory).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "toml")
            {
                files.push((
                    path.clone(),
                    std::fs::read_to_string(&path).expect("fixture"),
                ));
            }
        }
    }
    files.sort();
    files
}

/// A small deterministic generator (xorshift64*), so a failure reproduces.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound.max(1)).expect("fits")).expect("fits")
    }
}

/// Compiles and renders; any panic fails the test with the input that caused it.
fn compile_text(name: &str, bytes: &[u8]) {
    let Ok(text) = String::from_utf8(bytes.to_vec()) else {
        return; // not UTF-8: refused before parsing (LoadError::NotUtf8)
    };
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from(name), text.clone());
    let result = std::panic::catch_unwind(|| {
        let compilation = pricectl::compile(sources);
        let _ = human_report(&compilation);
        let _ = json_report(&compilation);
        if let Some(catalog) = &compilation.catalog {
            let _ = catalog.to_canonical_json();
        }
    });
    assert!(
        result.is_ok(),
        "the compiler panicked on this input:\n{text}"
    );
}

/// Bytes that make interesting TOML and numbers when they land in the wrong place.
const INTERESTING: &[u8] = b"=[]{}\"',.#\n_-+0123456789eEinfa \t\\";

#[test]
fn truncations_and_mutations_never_panic() {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    for (path, text) in corpus() {
        let name = path.display().to_string();
        let bytes = text.as_bytes();
        for end in (0..bytes.len()).step_by(7) {
            compile_text(&name, &bytes[..end]);
        }
        for _ in 0..300 {
            let mut mutated = bytes.to_vec();
            for _ in 0..=random.below(3) {
                let position = random.below(mutated.len());
                match random.below(3) {
                    0 => mutated[position] = INTERESTING[random.below(INTERESTING.len())],
                    1 => {
                        mutated.remove(position);
                    }
                    _ => mutated.insert(position, INTERESTING[random.below(INTERESTING.len())]),
                }
                if mutated.is_empty() {
                    break;
                }
            }
            compile_text(&name, &mutated);
        }
    }
}

/// A diagnostic far to the right of a long line: miette pads its underline with a `format!`
/// width, which panics past 65,535, and would echo a line of many kilobytes whole. Every
/// command that reports diagnostics shows a window of the line around the label instead.
#[test]
fn a_diagnostic_far_right_on_a_long_line_shows_a_window_of_it() {
    let context = TestContext::new();
    context.write("pricing.toml", &format!("{}= oops\n", " ".repeat(65_534)));
    let validate = context.run(&["validate"]);
    assert_eq!(validate.status.code(), Some(1), "{}", stderr(&validate));
    let report = stderr(&validate);
    context.bind(|| insta::assert_snapshot!(report));
    for args in [
        &["compile"][..],
        &["plan"],
        &["apply", "--auto-approve"],
        &["diff", "pricing.toml", "pricing.toml"],
        &["test"],
    ] {
        let output = context.run(args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("─[pricing.toml:1:65535]"),
            "{args:?}: {}",
            stderr(&output)
        );
    }

    // A valid file whose only warning is far right: applied, with the warning shown.
    let valid = TestContext::new();
    valid.write(
        "pricing.toml",
        &format!(
            "version = 1\ncurrency = \"USD\"\n\n[features.messages]\ntype = \"metered\"\n\n{}[features.images]\ntype = \"metered\"\n\n[plans.free.items.messages]\nincluded = 100\nreset = \"month\"\n",
            " ".repeat(70_000)
        ),
    );
    let applied = valid.run(&["apply", "--auto-approve"]);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    let warning = stderr(&applied);
    assert!(warning.contains("pricectl::unused_feature"), "{warning}");
    assert!(
        warning.len() < 2_000,
        "the long line is not echoed whole: {warning}"
    );
    valid.bind(|| insta::assert_snapshot!("far_right_warning", warning));
}
