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
            message: message.into(),
            labels: vec![Label {
                span,
                message: label.into(),
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
            message: label.into(),
            primary: false,
        });
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help only when there is one (a "did you mean" that may not exist).
    #[must_use]
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
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
