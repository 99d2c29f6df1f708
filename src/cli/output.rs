//! Where output goes and how it looks: data on stdout, diagnostics on stderr, colour only on
//! a terminal and never with `NO_COLOR`.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::ExitStatus;
use crate::backend::{Backend, BackendChoice, BackendError};
use crate::catalog::Catalog;
use crate::compile::Compilation;
use crate::dsl::{Declarations, LoadError, SourceSet};
use crate::render::{HumanOptions, backend_error_help, render_human};
use crate::store::Access;

/// `--quiet`: notes and progress on stderr are left out; errors and stdout never are. Set once,
/// before the command runs.
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Writes a note or progress line to stderr ("Saved the plan to …"), unless `--quiet`.
pub fn print_note(text: &str) {
    if !is_quiet() {
        print_stderr(text);
    }
}

/// Whether stderr gets colour.
pub fn stderr_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

/// Whether stdout gets colour.
pub fn stdout_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// The wrap width for reports: the terminal's `COLUMNS` when set, else 100.
pub fn report_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse().ok())
        .filter(|columns| *columns >= 40)
        .unwrap_or(100)
}

/// Writes data to stdout; a closed pipe (`| head`) is not an error worth a panic.
pub fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

pub fn print_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// Reports a source that could not be loaded.
pub fn report_load_error(error: &LoadError) {
    let help = match error {
        LoadError::NotFound { .. } => {
            "\n  help: pass the pricing file or directory, or run pricectl where `pricing.toml` is"
        }
        LoadError::EmptyDirectory { .. } => {
            "\n  help: a pricing directory holds one or more `*.toml` files"
        }
        LoadError::NotUtf8 { .. } => "\n  help: save the file as UTF-8",
        LoadError::TooLarge { .. } => {
            "\n  help: check that this is the pricing file; a larger catalog can be split over the files of a directory"
        }
        LoadError::Io { .. } => "",
    };
    let cause = match error {
        LoadError::Io { source, .. } => format!(": {source}"),
        _ => String::new(),
    };
    print_stderr(&format!("error: {error}{cause}{help}\n"));
}

/// Prints the human report of a compilation's diagnostics to stderr.
pub fn report_diagnostics(compilation: &Compilation, deny_warnings: bool) {
    if compilation.diagnostics.is_empty() {
        return;
    }
    let options = HumanOptions {
        color: stderr_color(),
        width: report_width(),
        deny_warnings,
    };
    print_stderr(&render_human(
        &compilation.diagnostics,
        &compilation.sources,
        options,
    ));
}

/// A pricing that compiled: its catalog, and for annotations at their lines its sources and
/// where each object is declared in them.
pub struct CompiledPricing {
    pub catalog: Catalog,
    pub sources: SourceSet,
    pub declarations: Declarations,
}

/// Compiles the pricing and reports its diagnostics on stderr; `None` when it has errors (or
/// could not be read), after saying so.
pub fn compile_pricing(path: &Path) -> Option<Catalog> {
    compile_pricing_sources(path).map(|pricing| pricing.catalog)
}

/// [`compile_pricing`], keeping the sources and declarations (for annotations).
pub fn compile_pricing_sources(path: &Path) -> Option<CompiledPricing> {
    let compilation = match crate::compile::compile_path(path) {
        Ok(compilation) => compilation,
        Err(error) => {
            report_load_error(&error);
            return None;
        }
    };
    checked_catalog(compilation, &display_path(path))
}

/// Reports a compilation's diagnostics on stderr; the compiled pricing, or `None` when it has
/// errors, after saying so of `name`.
pub fn checked_catalog(compilation: Compilation, name: &str) -> Option<CompiledPricing> {
    report_diagnostics(&compilation, false);
    if compilation.catalog.is_none() {
        print_stderr(&format!(
            "{name}: invalid ({}); fix the pricing first\n",
            count_summary(compilation.error_count(), compilation.warning_count())
        ));
    }
    CompiledPricing::of(compilation)
}

impl CompiledPricing {
    /// The compiled pricing of a compilation, `None` when it has errors.
    pub fn of(compilation: Compilation) -> Option<CompiledPricing> {
        let Compilation {
            sources,
            catalog,
            declarations,
            ..
        } = compilation;
        catalog.map(|catalog| CompiledPricing {
            catalog,
            sources,
            declarations,
        })
    }
}

/// Appends a plan's Markdown view (rendered by `markdown`, only when it is written) to the
/// GitHub job summary when `GITHUB_STEP_SUMMARY` names one, unless the summary holds that very
/// view already (a step that shows one plan in two formats); a summary that cannot be written
/// is a warning, never a failure of the command.
pub fn write_step_summary(markdown: impl FnOnce() -> String) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|path| !path.is_empty()) else {
        return;
    };
    let markdown = markdown();
    let markdown = markdown.as_str();
    debug_assert!(markdown.len() <= crate::render::MARKDOWN_LIMIT);
    if std::fs::read_to_string(&path).is_ok_and(|summary| summary.contains(markdown)) {
        return;
    }
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| {
            file.write_all(markdown.as_bytes())?;
            file.write_all(b"\n")
        });
    if let Err(error) = written {
        print_stderr(&format!(
            "warning: could not write the job summary to `{}`: {error}\n",
            Path::new(&path).display()
        ));
    }
}

/// Reports an error with its chain of causes and an optional help line.
pub fn report_error(error: &dyn std::error::Error, help: Option<&str>) {
    let mut text = format!("error: {error}");
    let mut source = error.source();
    let mut previous = String::new();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // SQLite's errors repeat their message under a code (`Error code 1544: attempt to
        // write a readonly database`): once is enough.
        if previous.is_empty() || !cause_text.ends_with(&previous) {
            let _ = write!(text, "\n  caused by: {cause_text}");
        }
        previous = cause_text;
        source = cause.source();
    }
    if let Some(help) = help {
        let _ = write!(text, "\n  help: {help}");
    }
    text.push('\n');
    print_stderr(&text);
}

/// The backend a command names: `--backend`, else the `[backend]` of `pricectl.toml` beside
/// the pricing, else the local store; and where it is (`--state`, else beside the pricing;
/// `--api-url` or `AUTUMN_API_URL`, else the settings' URL, else Autumn's public API). Invalid
/// settings are reported and give the exit status.
pub fn backend_choice(
    args: &super::BackendArgs,
    pricing: &Path,
) -> Result<BackendChoice, ExitStatus> {
    choose_backend(args, pricing).map_err(|refused| {
        report_error(refused.error.as_ref(), Some(refused.help));
        refused.status
    })
}

/// Why the backend a command names cannot be used, to report.
struct RefusedChoice {
    error: Box<dyn std::error::Error>,
    help: &'static str,
    status: ExitStatus,
}

/// [`backend_choice`], reporting nothing.
fn choose_backend(
    args: &super::BackendArgs,
    pricing: &Path,
) -> Result<BackendChoice, RefusedChoice> {
    use crate::reconcile::{BackendKindSetting, DEFAULT_KEY_VARIABLE, ProjectSettings};
    let settings = match ProjectSettings::beside(pricing) {
        Ok(settings) => settings.backend,
        Err(error) => {
            return Err(RefusedChoice {
                error: Box::new(error),
                help: "see `pricectl.toml` in docs/ci.md: `[backend]` with `kind`, `api_url` and `key_variable`",
                status: ExitStatus::Failure,
            });
        }
    };
    let kind = args
        .backend
        .unwrap_or(match settings.as_ref().map(|settings| settings.kind) {
            Some(BackendKindSetting::Autumn) => super::BackendKind::Autumn,
            Some(BackendKindSetting::Local) | None => super::BackendKind::Local,
        });
    Ok(match kind {
        super::BackendKind::Local => BackendChoice::Local {
            path: args
                .state
                .clone()
                .unwrap_or_else(|| crate::reconcile::default_state_path(pricing)),
        },
        super::BackendKind::Autumn => {
            let from_settings =
                settings.filter(|settings| settings.kind == BackendKindSetting::Autumn);
            let api_url = args
                .api_url
                .clone()
                .or_else(|| {
                    from_settings
                        .as_ref()
                        .and_then(|settings| settings.api_url.clone())
                })
                .unwrap_or_else(|| crate::backend::DEFAULT_AUTUMN_API_URL.to_string());
            #[cfg(feature = "autumn")]
            if let Err(error) = crate::backend::autumn::ApiUrl::parse(&api_url) {
                return Err(RefusedChoice {
                    error: Box::new(error),
                    help: "give Autumn's API with `--api-url`, `AUTUMN_API_URL` or `api_url` in `pricectl.toml`: `https://…`, or `http://127.0.0.1:PORT` for a local `pricectl serve`",
                    status: ExitStatus::Usage,
                });
            }
            BackendChoice::Autumn {
                api_url,
                key_variable: from_settings
                    .and_then(|settings| settings.key_variable)
                    .unwrap_or_else(|| DEFAULT_KEY_VARIABLE.to_string()),
            }
        }
    })
}

/// The backend a command names, opened with its reads already sent when it is reached over a
/// network (Autumn), so they travel while the pricing compiles; `None` for the local store
/// (opening it may create a file, which must wait for a pricing that compiles) or when it
/// cannot be opened: the command then opens it after the compile, and reports why not there,
/// as it always has.
pub fn open_reading_ahead(args: &super::BackendArgs, pricing: &Path) -> Option<Box<dyn Backend>> {
    let choice = choose_backend(args, pricing).ok()?;
    if !matches!(choice, BackendChoice::Autumn { .. }) {
        return None;
    }
    let mut backend = crate::reconcile::open_backend(&choice, Access::ReadOrEmpty).ok()?;
    backend.read_ahead();
    Some(backend)
}

/// Opens the backend a command names, for what the command does with it (`plan` and `import`
/// only read: they never create or migrate a store); a failure is reported and gives the exit
/// status.
pub fn open_backend(
    args: &super::BackendArgs,
    pricing: &Path,
    access: Access,
) -> Result<Box<dyn Backend>, ExitStatus> {
    open_chosen_backend(&backend_choice(args, pricing)?, access)
}

/// Opens a backend named as data (a saved plan's); a failure is reported and gives the exit
/// status.
pub fn open_chosen_backend(
    choice: &BackendChoice,
    access: Access,
) -> Result<Box<dyn Backend>, ExitStatus> {
    crate::reconcile::open_backend(choice, access).map_err(|error| report_backend_error(&error))
}

/// Reports a backend failure with the help for its kind, and gives the exit status: 3 when
/// the billing system or its store could not be used, 1 when the pricing or plan is at fault.
pub fn report_backend_error(error: &BackendError) -> ExitStatus {
    report_error(error, Some(&backend_error_help(error)));
    ExitStatus::of_backend_error(error)
}

/// "2 errors and 1 warning".
pub fn count_summary(errors: usize, warnings: usize) -> String {
    let plural =
        |count: usize, noun: &str| format!("{count} {noun}{}", if count == 1 { "" } else { "s" });
    format!(
        "{} and {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

pub fn display_path(path: &Path) -> String {
    path.display().to_string()
}
