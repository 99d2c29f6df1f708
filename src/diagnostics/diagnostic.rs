use super::code::{Code, Severity};
use super::span::Span;

/// One problem in the pricing source.
///
/// The message says what is wrong (lowercase, no trailing period, literals in backticks); the
/// primary label points at the exact key or value; related labels point at the other places
/// involved ("first defined here"); `help` says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

/// A span with a short note. Exactly one label of a diagnostic is primary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

impl Diagnostic {
    /// A diagnostic with its primary label.
    pub fn new(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Self {
            code,
            message: shorten_literals(message.into()),
            labels: vec![Label {
                span,
                message: shorten_literals(label.into()),
                primary: true,
            }],
            help: None,
        }
    }

    /// Adds a related label (another place involved in the same problem).
    #[must_use]
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: shorten_literals(label.into()),
            primary: false,
        });
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten_literals(help.into()));
        self
    }

    /// Sets the help only when there is one (a "did you mean" that may not exist).
    #[must_use]
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help.map(shorten_literals);
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// The primary label; every diagnostic is built with one.
    pub fn primary(&self) -> &Label {
        self.labels
            .iter()
            .find(|label| label.primary)
            .expect("a diagnostic is always created with a primary label")
    }
}

/// The longest literal (a run in backticks) a message quotes whole, in characters.
const LONGEST_LITERAL: usize = 80;

/// Characters of a longer literal kept before the ellipsis.
const LITERAL_KEPT: usize = 60;

/// `text` with each literal longer than [`LONGEST_LITERAL`] characters cut to its start and
/// `…`: a message names a 100,000-character key or id without repeating it (the snippet
/// points at it).
fn shorten_literals(text: String) -> String {
    if text.len() <= LONGEST_LITERAL {
        return text;
    }
    let mut parts = text.split('`');
    let mut shortened = String::with_capacity(text.len().min(1024));
    shortened.push_str(parts.next().unwrap_or_default());
    for (index, part) in parts.enumerate() {
        shortened.push('`');
        // Parts at even indexes after the first backtick are inside one.
        let inside = index % 2 == 0;
        if inside && part.chars().nth(LONGEST_LITERAL).is_some() {
            shortened.extend(part.chars().take(LITERAL_KEPT));
            shortened.push('…');
        } else {
            shortened.push_str(part);
        }
    }
    shortened
}

#[cfg(test)]
mod tests {
    use super::shorten_literals;

    #[test]
    fn long_literals_are_cut_and_short_ones_kept() {
        let long = "k".repeat(100_000);
        let message = format!("unknown key `{long}` in `features.a`, did you mean `name`?");
        let shortened = shorten_literals(message);
        assert_eq!(
            shortened,
            format!(
                "unknown key `{}…` in `features.a`, did you mean `name`?",
                "k".repeat(60)
            )
        );
        let short = "the id `seats` is defined twice; ".repeat(5);
        assert_eq!(shorten_literals(short.clone()), short);
        // An unclosed backtick still cuts what follows it.
        assert_eq!(
            shorten_literals(format!("a `{long}")),
            format!("a `{}…", "k".repeat(60))
        );
    }
}
