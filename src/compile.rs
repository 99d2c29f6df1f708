//! The front end in one call: parse, check, lower.

use std::path::Path;

use crate::catalog::Catalog;
use crate::check::check;
use crate::diagnostics::{Diagnostic, Severity};
use crate::dsl::{Declarations, LoadError, SourceSet, parse_sources};
use crate::lower::lower;

/// The result of compiling one catalog's sources.
#[derive(Debug, Clone)]
pub struct Compilation {
    pub sources: SourceSet,
    /// Every diagnostic, ordered by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The catalog, when there are no errors (warnings allowed).
    pub catalog: Option<Catalog>,
    /// Where each object is declared, by address (what plan annotations point at).
    pub declarations: Declarations,
}

impl Compilation {
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity() == severity)
            .count()
    }
}

/// Compiles sources already in memory.
pub fn compile(sources: SourceSet) -> Compilation {
    let parsed = parse_sources(&sources);
    let mut diagnostics = parsed.diagnostics;
    if parsed.complete {
        diagnostics.extend(check(&parsed.files));
    }
    diagnostics.sort_by(|left, right| {
        let (left_label, right_label) = (left.primary(), right.primary());
        (&left_label.span, left.code, &left.message).cmp(&(
            &right_label.span,
            right.code,
            &right.message,
        ))
    });
    diagnostics.dedup();
    let declarations = Declarations::of(&parsed.files);
    let catalog = (!diagnostics.iter().any(Diagnostic::is_error)).then(|| lower(parsed.files));
    Compilation {
        sources,
        diagnostics,
        catalog,
        declarations,
    }
}

/// Loads a pricing file or directory and compiles it.
pub fn compile_path(path: &Path) -> Result<Compilation, LoadError> {
    SourceSet::load(path).map(compile)
}
