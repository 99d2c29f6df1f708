//! Reading in pieces gives what reading whole gives: the same documents, unknown keys and
//! diagnostics, for every example and fixture, for files made to be cut everywhere, for files
//! whose TOML errors only show when read whole, and for random changes of all of them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::dsl::SourceSet;
use crate::dsl::parse::{Parsed, parse_sources_cut};
use crate::dsl::pieces::{Body, pieces};
use crate::dsl::piecewise::read_in_pieces;

/// Every `*.toml` under `directory`.
fn toml_files(directory: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            toml_files(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "toml")
        {
            files.push(path);
        }
    }
}

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    toml_files(&root.join("pricing-examples"), &mut paths);
    toml_files(&root.join("tests/fixtures"), &mut paths);
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect()
}

fn parse(text: &str, pieces_from: usize, piece_bytes: usize) -> Parsed {
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from("pricing.toml"), text.to_string());
    let mut parsed = parse_sources_cut(&sources, pieces_from, piece_bytes);
    parsed.diagnostics.sort_by(|left: &Diagnostic, right| {
        (&left.primary().span, left.code, &left.message).cmp(&(
            &right.primary().span,
            right.code,
            &right.message,
        ))
    });
    parsed
}

/// Whether `text` was read in pieces of `piece_bytes` (and not whole, after a piece failed).
fn read_in_pieces_of(text: &str, piece_bytes: usize) -> bool {
    pieces(text, piece_bytes).is_some_and(|pieces| {
        let mut diagnostics = Vec::new();
        read_in_pieces(
            crate::diagnostics::FileId(0),
            text,
            &pieces,
            &mut diagnostics,
        )
        .is_some()
    })
}

/// Reads `text` whole and in pieces of several sizes; panics, naming the text, on a difference.
fn assert_same_in_pieces(text: &str) {
    let whole = parse(text, usize::MAX, usize::MAX);
    for piece_bytes in [1, 64, 700] {
        let cut = parse(text, 0, piece_bytes);
        let same = whole.complete == cut.complete
            && whole.diagnostics == cut.diagnostics
            && whole.files.len() == cut.files.len()
            && whole.files.iter().zip(&cut.files).all(|(whole, cut)| {
                whole.document == cut.document && whole.invalid_keys == cut.invalid_keys
            });
        assert!(
            same,
            "read in pieces of {piece_bytes} bytes, this differs from read whole:\n{text}\n\
             whole: {:#?}\ncut: {:#?}",
            whole.diagnostics, cut.diagnostics
        );
    }
}

/// A catalog with every shape cutting meets: many features, by headers and inline in a long
/// `[features]` body between them, a credit system whose costs body is long, plans with and
/// without their own header, items before and after it, a plan whose items are a long body of
/// inline items, tiers as arrays of tables, an item with a sub-table.
fn catalog(count: usize) -> String {
    let mut text = String::from("version = 1\ncurrency = \"USD\"\n");
    for index in 0..count {
        let _ = write!(
            text,
            "\n[features.f{index}]\ntype = \"metered\"\nname = \"Feature {index}\"\n"
        );
        if index == count / 2 {
            text.push_str("\n[features]\n");
            for inline in 0..count {
                let _ = writeln!(
                    text,
                    "g{inline} = {{ type = \"metered\", name = \"Inline {inline}\" }}"
                );
            }
        }
    }
    text.push_str("\n[plans.inline]\nname = \"Inline\"\n\n[plans.inline.items]\n");
    for index in 0..count {
        let _ = writeln!(
            text,
            "g{index} = {{ included = {index}, reset = \"month\" }}"
        );
    }
    text.push_str(
        "\n[credit_systems.credits]\nname = \"Credits\"\n\n[credit_systems.credits.costs]\n",
    );
    for index in 0..count {
        let _ = writeln!(text, "f{index} = {{ credits = {index}, per = 1_000 }}");
    }
    text.push_str("\n[plans.implicit.items.credits]\nincluded = 100\nreset = \"month\"\n");
    for index in 0..count {
        let _ = write!(
            text,
            "\n[plans.pro.items.f{index}]\nincluded = {index}\nreset = \"month\"\n"
        );
        if index == count / 2 {
            text.push_str(
                "\n[plans.pro]\nname = \"Pro\"\nprice = { amount = 20, interval = \"month\" }\n",
            );
        }
    }
    text.push_str(
        "\n[plans.tiered.items.f0]\nprice = { per = 1, billing = \"usage\", interval = \"month\" }\n\n\
         [[plans.tiered.items.f0.tiers]]\nup_to = 100\namount = 0.1\n\n\
         [[plans.tiered.items.f0.tiers]]\nup_to = \"inf\"\namount = 0.05\n\n\
         [plans.tiered.items.f1.proration]\non_increase = \"bill_immediately\"\n\n\
         [plans.implicit.items.f2]\nincluded = 5\n",
    );
    text
}

#[test]
fn a_catalog_read_in_pieces_is_the_catalog_read_whole() {
    let text = catalog(40);
    assert!(read_in_pieces_of(&text, 64), "the catalog is cut");
    // Every body is cut between its lines, not only at the headers around it.
    let bodies: Vec<Body<'_>> = pieces(&text, 64)
        .into_iter()
        .flatten()
        .filter_map(|piece| piece.continues)
        .collect();
    for body in [
        Body::Features,
        Body::Costs("credits"),
        Body::Items("inline"),
    ] {
        assert!(
            bodies.iter().filter(|cut| **cut == body).count() > 1,
            "{body:?} is not cut: {bodies:?}"
        );
    }
    assert_same_in_pieces(&text);
    let parsed = parse(&text, 0, 64);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
}

#[test]
fn every_example_and_fixture_reads_the_same_in_pieces() {
    let corpus = corpus();
    assert!(corpus.len() > 50, "{} files", corpus.len());
    let mut cut = 0;
    for text in &corpus {
        assert_same_in_pieces(text);
        cut += usize::from(read_in_pieces_of(text, 1));
    }
    // Most are cut: the comparison is not only of files read whole both times.
    assert!(
        cut * 2 > corpus.len(),
        "{cut} of {} read in pieces",
        corpus.len()
    );
}

/// Files valid in every piece but not as a whole (a table written twice, a table made by
/// dotted keys or inline and extended by a header elsewhere), and files a piece of which is
/// broken: read in pieces, each gives the whole file's errors.
#[test]
fn errors_that_span_pieces_are_the_whole_files_errors() {
    let filler = catalog(6);
    let cases = [
        format!("{filler}\n[features.f1]\ntype = \"metered\"\n"),
        format!("{filler}\n[plans.pro.items.f1]\nincluded = 2\n"),
        format!(
            "{filler}\n[plans.other]\nitems.f1.included = 1\n{filler_tail}\n[plans.other.items.f2]\nincluded = 1\n",
            filler_tail = "[features.late]\ntype = \"boolean\"\n"
        ),
        format!(
            "{filler}\n[plans.other.items]\nf1 = {{ included = 1 }}\n\n[features.late]\ntype = \"boolean\"\n\n[plans.other.items.f1]\nincluded = 2\n"
        ),
        format!(
            "version = 1\ncurrency = \"USD\"\nfeatures.early.type = \"metered\"\n{}",
            &filler[29..]
        ),
        format!("{filler}\n[credit_systems.credits.costs.f1]\ncredits = 1\nper = 1\n"),
        filler.replacen(
            "f3 = { credits = 3, per = 1_000 }",
            "f3 = { credits = 3, per = 1_000 }\nf5 = 1",
            1,
        ),
        format!("{filler}\n[features.broken\ntype = \"metered\"\n"),
        format!("{filler}\n[features.late]\ntype = \"metered\"\nname = \"unterminated\n"),
        filler.replacen("version = 1", "version = 2", 1),
        filler.replacen("version = 1\n", "", 1),
        format!("{filler}\n[unknown.table]\nkey = 1\n"),
        format!("{filler}\n[plans.pro.items.f1.tiers]\nup_to = 1\n"),
        format!("{filler}\n[[plans.pro]]\nname = \"twice\"\n"),
        // A key of a cut body written again far from the first, in the body, by a header, or
        // by a dotted key (valid TOML: both lines write the one table `g1`).
        filler.replacen("g5 = {", "g1 = {", 1),
        filler.replacen("g5 = { included", "g1 = { included", 1),
        filler
            .replacen(
                "g0 = { type = \"metered\", name = \"Inline 0\" }",
                "g0.type = \"metered\"",
                1,
            )
            .replacen(
                "g5 = { type = \"metered\", name = \"Inline 5\" }",
                "g0.name = \"Inline 0\"",
                1,
            ),
        format!("{filler}\n[features.g1]\ntype = \"metered\"\n"),
        format!("{filler}\n[features.g1.display]\nsingular = \"g\"\n"),
        format!("{filler}\n[features]\nlate = {{ type = \"boolean\" }}\n"),
        format!("{filler}\n[plans.inline.items.g1]\nincluded = 2\n"),
        format!("{filler}\n[plans.inline.items]\nlate = {{ included = 2 }}\n"),
        format!("{filler}\n[plans.inline]\nname = \"again\"\n"),
        filler.replacen(
            "[plans.inline]\nname = \"Inline\"\n",
            "[plans.inline]\nname = \"Inline\"\nitems.g9 = { included = 9 }\n",
            1,
        ),
        filler.replacen("[plans.inline]\n", "[[plans.inline]]\n", 1),
        // Objects of a cut body that are not objects: each reported where it is.
        filler.replacen(
            "g4 = { type = \"metered\", name = \"Inline 4\" }",
            "g4 = 4\ng7 = { type = \"gauge\", name = [1] }",
            1,
        ),
        filler.replacen(
            "g4 = { included = 4, reset = \"month\" }",
            "g4 = \"four\"\ng7 = { included = -1, unknown = 1 }",
            1,
        ),
    ];
    for text in &cases {
        assert_same_in_pieces(text);
    }
}

/// A small deterministic generator (xorshift64*), so a failure reproduces.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let value = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        usize::try_from(value % u64::try_from(bound.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

/// Lines moved, repeated and removed, so headers and keys meet again in other pieces.
#[test]
fn changed_lines_read_the_same_in_pieces() {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut texts = corpus();
    texts.retain(|text| text.len() > 200);
    texts.push(catalog(8));
    for text in &texts {
        let lines: Vec<&str> = text.lines().collect();
        for _ in 0..40 {
            let mut changed = lines.clone();
            for _ in 0..=random.below(3) {
                let from = random.below(changed.len());
                let to = random.below(changed.len());
                match random.below(3) {
                    0 => {
                        let line = changed[from];
                        changed.insert(to, line);
                    }
                    1 => {
                        changed.remove(from);
                    }
                    _ => changed.swap(from, to),
                }
                if changed.is_empty() {
                    break;
                }
            }
            assert_same_in_pieces(&(changed.join("\n") + "\n"));
        }
    }
}
