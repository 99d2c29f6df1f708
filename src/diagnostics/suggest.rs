/// The closest candidate to `input`, when it is close enough to be a likely typo.
///
/// Closeness is normalized Damerau–Levenshtein similarity; the threshold keeps suggestions
/// for one or two slipped characters (`meterd` → `metered`, `o1-input-token` →
/// `o1-input-tokens`) and stays quiet for unrelated words.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    const THRESHOLD: f64 = 0.7;
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        let similarity = strsim::normalized_damerau_levenshtein(input, candidate);
        if similarity >= THRESHOLD && best.is_none_or(|(_, score)| similarity > score) {
            best = Some((candidate, similarity));
        }
    }
    best.map(|(candidate, _)| candidate)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_words_and_ignores_distant_ones() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("meterd", &["metered", "boolean"], Some("metered")),
            ("nmae", &["name", "type", "display"], Some("name")),
            (
                "o1-input-token",
                &["o1-input-tokens", "o3-input-tokens"],
                Some("o1-input-tokens"),
            ),
            (
                "o3-input-tokens",
                &["o1-input-tokens", "o3-input-tokens"],
                Some("o3-input-tokens"),
            ),
            ("price", &["included", "reset"], None),
            ("x", &[], None),
        ];
        for (input, candidates, expected) in cases {
            assert_eq!(
                did_you_mean(input, candidates.iter().copied()),
                *expected,
                "input {input}"
            );
        }
    }
}
