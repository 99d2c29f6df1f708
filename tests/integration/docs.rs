//! `docs/diagnostics.md` is the reference `explain` prints: every code has a section whose
//! example really produces the code and whose fix really clears it.

use std::path::PathBuf;

use pricectl::diagnostics::Code;
use pricectl::dsl::SourceSet;

/// The TOML code blocks under `### Example` and `### Fix` of a section.
fn example_and_fix(section: &str) -> (String, String) {
    let block_after = |heading: &str| -> String {
        let start = section
            .find(heading)
            .unwrap_or_else(|| panic!("no `{heading}` in:\n{section}"));
        let rest = &section[start..];
        let open = rest.find("```toml\n").expect("a ```toml block") + "```toml\n".len();
        let close = rest[open..].find("\n```").expect("a closed block") + open;
        rest[open..close].to_string()
    };
    (block_after("### Example"), block_after("### Fix"))
}

fn codes_of(text: &str) -> (Vec<Code>, usize) {
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from("pricing.toml"), text.to_string());
    let compilation = pricectl::compile(sources);
    let codes = compilation
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code)
        .collect();
    (codes, compilation.error_count())
}

#[test]
fn every_code_is_documented_with_an_example_that_produces_it_and_a_fix() {
    for code in Code::ALL {
        let section = pricectl::cli::explanation(*code)
            .unwrap_or_else(|| panic!("docs/diagnostics.md has no section for {code}"));
        assert!(
            section.contains(&format!("Severity: {}", code.severity().as_str())),
            "the section of {code} states its severity"
        );
        let (example, fix) = example_and_fix(&section);
        let (example_codes, _) = codes_of(&example);
        assert!(
            example_codes.contains(code),
            "the example of {code} produces {example_codes:?}"
        );
        let (fix_codes, fix_errors) = codes_of(&fix);
        assert!(
            !fix_codes.contains(code),
            "the fix of {code} still produces it"
        );
        assert_eq!(fix_errors, 0, "the fix of {code} has errors: {fix_codes:?}");
    }
}
