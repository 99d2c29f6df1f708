//! `pricectl fmt`: the layout of every fixture (snapshots), and the promise that formatting
//! never changes what a file means and is idempotent, over every example and variants of it.

use std::path::PathBuf;

use pricectl::dsl::SourceSet;
use pricectl::dsl::format::format_pricing;

use crate::support::{TestContext, examples, pricectl, root, stderr};

/// The catalog a pricing text compiles to, as canonical JSON; panics on errors.
fn catalog(text: &str, what: &str) -> String {
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from("pricing.toml"), text.to_string());
    let compilation = pricectl::compile(sources);
    let catalog = compilation.catalog.as_ref().unwrap_or_else(|| {
        panic!(
            "{what} does not compile:\n{}\n{text}",
            crate::support::human_report(&compilation)
        )
    });
    catalog.to_canonical_json()
}

/// The TOML data of a text, read by the `toml` crate (not the formatter's parser).
fn data(text: &str) -> toml::Table {
    toml::from_str(text).expect("valid TOML")
}

/// Formats `text`, checking what every formatting must keep: the TOML data, the compiled
/// catalog (for pricing files), idempotence.
fn format_checked(text: &str, pricing: bool, what: &str) -> String {
    let formatted = format_pricing(text).unwrap_or_else(|error| panic!("{what}: {error}"));
    assert_eq!(
        data(&formatted),
        data(text),
        "{what}: formatting changed the TOML data\n{formatted}"
    );
    if pricing {
        assert_eq!(
            catalog(&formatted, what),
            catalog(text, what),
            "{what}: formatting changed the catalog\n{formatted}"
        );
    }
    let again = format_pricing(&formatted).expect("formatted text formats");
    assert_eq!(again, formatted, "{what}: formatting is not idempotent");
    assert!(
        formatted.is_empty() || (formatted.ends_with('\n') && !formatted.ends_with("\n\n")),
        "{what}: the file ends with exactly one newline"
    );
    formatted
}

#[test]
fn fixtures_are_laid_out_canonically() {
    insta::glob!("../fixtures/format", "*.toml", |path| {
        let text = std::fs::read_to_string(path).expect("fixture");
        let scenario = path.to_string_lossy().ends_with(".scenario.toml");
        let formatted = format_checked(&text, !scenario, &path.display().to_string());
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!(formatted);
        });
    });
}

/// Every file of every example: pricing and scenarios.
fn example_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for example in examples() {
        for entry in std::fs::read_dir(&example).expect("example directory") {
            let path = entry.expect("entry").path();
            if path
                .extension()
                .is_some_and(|extension| extension == "toml")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn examples_are_already_formatted() {
    for path in example_files() {
        let text = std::fs::read_to_string(&path).expect("example");
        let pricing = !path.to_string_lossy().ends_with(".scenario.toml");
        let formatted = format_checked(&text, pricing, &path.display().to_string());
        assert!(
            formatted == text,
            "{} is not formatted; run `pricectl fmt {}`",
            path.display(),
            path.display()
        );
    }
}

/// Splits a line into its code and its comment (from a `#` outside a string).
fn split_comment(line: &str) -> (&str, &str) {
    let mut in_string = false;
    for (index, character) in line.char_indices() {
        match character {
            '"' => in_string = !in_string,
            '#' if !in_string => return line.split_at(index),
            _ => {}
        }
    }
    (line, "")
}

/// Applies `change` to the code of every line, outside strings and comments (the examples
/// have no escaped quotes).
fn map_code(text: &str, change: impl Fn(&str) -> String) -> String {
    map_lines(text, |line| {
        let (code, comment) = split_comment(line);
        let code: Vec<String> = code
            .split('"')
            .enumerate()
            .map(|(index, piece)| {
                if index % 2 == 0 {
                    change(piece)
                } else {
                    piece.to_string()
                }
            })
            .collect();
        format!("{}{comment}", code.join("\""))
    })
}

fn map_lines(text: &str, change: impl Fn(&str) -> String) -> String {
    text.lines().map(change).collect::<Vec<_>>().join("\n")
}

/// Variants of a file that mean the same: the formatter must bring each back to a canonical
/// form with the same meaning. Those marked `true` differ from a canonical file only in ways
/// the formatter undoes completely.
fn variants(text: &str) -> Vec<(&'static str, String, bool)> {
    let mut variants = vec![
        (
            "trailing whitespace and no final newline",
            map_lines(text, |line| format!("{line}  \t")),
            true,
        ),
        (
            "extra blank lines",
            text.replace("\n\n", "\n\n\n\n").replace("]\n", "]\n\n") + "\n\n\n",
            true,
        ),
        ("CRLF line endings", text.replace('\n', "\r\n"), true),
        (
            "literal strings",
            map_lines(text, |line| {
                let (code, comment) = split_comment(line);
                format!("{}{comment}", code.replace('"', "'"))
            }),
            true,
        ),
        (
            "currency before version",
            text.replacen("version = 1\ncurrency", "currency", 1)
                .replacen("\"USD\"\n", "\"USD\"\nversion = 1\n", 1),
            true,
        ),
        (
            "scrambled spaces around `=`",
            map_code(text, |code| code.replace(" = ", "\t=   ")),
            false,
        ),
        (
            "indented lines",
            map_lines(text, |line| format!("    {line}")),
            false,
        ),
        (
            "inline tables with odd spacing",
            map_code(text, |code| {
                code.replace("{ ", "{")
                    .replace(" }", "   }")
                    .replace(", ", " ,")
            }),
            false,
        ),
        (
            "comments everywhere",
            text.lines()
                .map(|line| {
                    if line.starts_with('[') {
                        format!("# before {line}\n{line}  # on the header")
                    } else if line.contains(" = ") && !line.ends_with('[') && !line.ends_with(',') {
                        format!("{line}  # note")
                    } else {
                        line.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n# the end\n",
            false,
        ),
        (
            "dotted keys",
            text.lines()
                .map(|line| match dotted(line) {
                    Some(lines) => lines,
                    None => line.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            false,
        ),
        (
            "multi-line arrays",
            map_lines(text, |line| {
                let (code, comment) = split_comment(line);
                if code.starts_with('[') || !code.contains("= [") || !code.trim_end().ends_with(']')
                {
                    return line.to_string();
                }
                let code = code.trim_end().replacen("= [", "= [\n  ", 1);
                format!("{},\n]{comment}", &code[..code.len() - 1])
            }),
            false,
        ),
    ];
    variants.retain(|(_, variant, _)| variant != text);
    variants
}

/// `key = { a = 1, b = 2 }  # c` as `key.a = 1  # c` and `key.b = 2`.
fn dotted(line: &str) -> Option<String> {
    let (key, rest) = line.split_once(" = { ")?;
    let (inner, comment) = rest.split_once(" }")?;
    if key.contains(' ') || inner.contains('{') || inner.contains('[') || inner.contains('"') {
        return None;
    }
    let mut lines = Vec::new();
    for (index, pair) in inner.split(", ").enumerate() {
        let (name, value) = pair.split_once(" = ")?;
        let comment = if index == 0 { comment } else { "" };
        lines.push(format!("{key}.{name} = {value}{comment}"));
    }
    Some(lines.join("\n"))
}

#[test]
fn formatting_never_changes_meaning() {
    for path in example_files() {
        let text = std::fs::read_to_string(&path).expect("example");
        let pricing = !path.to_string_lossy().ends_with(".scenario.toml");
        let variants = variants(&text);
        assert!(
            variants.len() >= if pricing { 10 } else { 6 },
            "{}: only {} variants apply",
            path.display(),
            variants.len()
        );
        for (name, variant, undone) in variants {
            let what = format!("{} ({name})", path.display());
            // The variant itself means the same as the example.
            assert_eq!(
                data(&variant),
                data(&text),
                "{what}: a bad variant\n{variant}"
            );
            if pricing {
                assert_eq!(catalog(&variant, &what), catalog(&text, &what), "{what}");
            }
            let formatted = format_checked(&variant, pricing, &what);
            if undone {
                assert!(
                    formatted == text,
                    "{what}: formatting did not restore the example:\n{formatted}"
                );
            }
        }
    }
}

/// A directory with the given files, and `pricectl` running in it.
fn workspace(files: &[(&str, &str)]) -> TestContext {
    let context = TestContext::new();
    for (name, text) in files {
        context.write(name, text);
    }
    context
}

const MESSY: &str = "version=1\ncurrency   =  \"USD\"\n[features.tokens]\n\ntype='metered'   \n";
const TIDY: &str = "version = 1\ncurrency = \"USD\"\n\n[features.tokens]\ntype = \"metered\"\n";

#[test]
fn check_lists_what_would_change_and_writes_nothing() {
    let context = workspace(&[
        ("pricing.toml", MESSY),
        ("pricing.scenario.toml", "name   = \"s\"\n"),
        ("tidy.toml", TIDY),
    ]);
    let output = context.run(&["fmt", "--check", "."]);
    assert_eq!(output.status.code(), Some(1));
    // What would change, as a unified diff on stdout (as `rustfmt --check` prints it).
    insta::assert_snapshot!(
        "check_prints_the_diff",
        String::from_utf8_lossy(&output.stdout)
    );
    insta::assert_snapshot!(stderr(&output), @r"
    would reformat pricing.scenario.toml
    would reformat pricing.toml
    2 files would be reformatted, 1 file already formatted
    ");
    let text = context.read("pricing.toml");
    assert_eq!(text, MESSY, "--check writes nothing");

    let clean = context.run(&["fmt", "--check", "tidy.toml"]);
    assert_eq!(clean.status.code(), Some(0));
    insta::assert_snapshot!(stderr(&clean), @"1 file already formatted");
}

#[test]
fn fmt_rewrites_only_the_files_that_change() {
    let context = workspace(&[("pricing.toml", MESSY), ("tidy.toml", TIDY)]);
    let tidy = context.path("tidy.toml");
    let before = std::fs::metadata(&tidy)
        .and_then(|metadata| metadata.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));

    let output = context.run(&["fmt", "."]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(stderr(&output), @r"
    reformatted pricing.toml
    1 file reformatted, 1 file already formatted
    ");
    let text = context.read("pricing.toml");
    assert_eq!(text, TIDY);
    let after = std::fs::metadata(&tidy)
        .and_then(|metadata| metadata.modified())
        .expect("mtime");
    assert_eq!(before, after, "an unchanged file is not rewritten");
    let leftovers: Vec<_> = std::fs::read_dir(context.directory())
        .expect("read dir")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary file is left: {leftovers:?}"
    );

    // The default path is `pricing.toml`, now formatted.
    let again = context.run(&["fmt"]);
    assert_eq!(again.status.code(), Some(0));
    insta::assert_snapshot!(stderr(&again), @"1 file already formatted");
    let quiet = context.run(&["fmt", "--quiet"]);
    assert_eq!(stderr(&quiet), "");
}

/// `fmt` changes a file's content and nothing else: a private file stays private and a
/// symbolic link stays a link to the file it formats.
#[cfg(unix)]
#[test]
fn fmt_keeps_the_mode_and_writes_through_a_link() {
    use std::os::unix::fs::{PermissionsExt as _, symlink};

    let context = workspace(&[("private.toml", MESSY), ("shared/pricing.toml", MESSY)]);
    let private = context.path("private.toml");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    symlink("shared/pricing.toml", context.path("pricing.toml")).expect("link");

    let output = context.run(&["fmt", "private.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(context.read("private.toml"), TIDY);
    let mode = std::fs::metadata(&private)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the mode is kept");

    let output = context.run(&["fmt"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let link = std::fs::symlink_metadata(context.path("pricing.toml")).expect("metadata");
    assert!(link.file_type().is_symlink(), "the link is kept");
    assert_eq!(
        context.read("shared/pricing.toml"),
        TIDY,
        "the file it points to is formatted"
    );
}

#[test]
fn a_file_that_is_not_toml_gets_the_compiler_diagnostic_and_is_left_alone() {
    let broken = "version = 1\ncurrency = \"USD\"\n[features.tokens\ntype = \"metered\"\n";
    let context = workspace(&[("pricing.toml", broken), ("other.toml", MESSY)]);
    let output = context.run(&["fmt", "."]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output));
    let text = context.read("pricing.toml");
    assert_eq!(text, broken, "left untouched");
    let other = context.read("other.toml");
    assert_eq!(other, TIDY, "the other files are still formatted");
}

#[test]
fn missing_paths_are_load_errors() {
    let context = workspace(&[]);
    let missing = context.run(&["fmt"]);
    assert_eq!(missing.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&missing), @r"
    error: `pricing.toml` does not exist
      help: pass the pricing file or directory, or run pricectl where `pricing.toml` is
    ");
    let empty = context.run(&["fmt", "--check", "."]);
    assert_eq!(empty.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&empty), @r"
    error: the directory `.` has no `*.toml` files
      help: a pricing directory holds one or more `*.toml` files
    ");
}

#[test]
fn the_examples_pass_fmt_check() {
    for example in examples() {
        let output = pricectl()
            .args(["fmt", "--check"])
            .arg(crate::support::relative(&example))
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Every prefix of every example and fixture: formatting never panics, and whatever it
/// formats keeps its data and formats to itself.
#[test]
fn truncated_files_never_panic() {
    let mut files = example_files();
    for entry in std::fs::read_dir(root().join("tests/fixtures/format")).expect("fixtures") {
        files.push(entry.expect("entry").path());
    }
    for path in files {
        let text = std::fs::read_to_string(&path).expect("file");
        let step = (text.len() / 600).max(1);
        for end in (0..=text.len()).step_by(step) {
            if !text.is_char_boundary(end) {
                continue;
            }
            let prefix = &text[..end];
            let Ok(formatted) = format_pricing(prefix) else {
                continue;
            };
            let what = format!("{} cut at byte {end}", path.display());
            if let Ok(original) = toml::from_str::<toml::Table>(prefix) {
                assert_eq!(data(&formatted), original, "{what}");
            }
            assert_eq!(
                format_pricing(&formatted).expect("formats again"),
                formatted,
                "{what}: not idempotent"
            );
        }
    }
}
