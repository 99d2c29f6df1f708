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
    // The distance costs the product of the lengths: a 100,000-character key compared with
    // every id took minutes. Nobody mistypes a word that long.
    const LONGEST_WORD: usize = 128;
    if input.len() > LONGEST_WORD {
        return None;
    }
    let input_length = input.chars().count();
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        if candidate.len() > LONGEST_WORD {
            continue;
        }
        // The distance is at least the difference in length: skip what cannot be close.
        let candidate_length = candidate.chars().count();
        let longer = input_length.max(candidate_length);
        if input_length.abs_diff(candidate_length) * 10 > longer * 3 {
            continue;
        }
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
            // Too long to be a typo, and too long to compare.
            (&"a".repeat(200), &["a"], None),
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
