//! The shared test context: a temporary directory where the real `pricectl` binary runs with a
//! clean environment, and the snapshot filters that keep what a user sees comparable across
//! machines and releases (temporary paths, times, the crate version, fingerprints).
//!
//! A test makes a [`TestContext`], writes its files, runs commands and snapshots their output
//! inside [`TestContext::bind`] (or, without a context, [`bind`]), so no snapshot names a temp
//! directory, today's date or the version being released.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pricectl::Compilation;
use pricectl::render::{HumanOptions, render_human, render_json};

/// The crate root; tests run with it as the working directory, so paths in reports are
/// relative and the same on every machine.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `pricectl` binary built for this test run, in the crate root, with a clean environment
/// for output.
pub fn pricectl() -> Command {
    let mut command = Command::new(insta_cmd::get_cargo_bin("pricectl"));
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        // On GitHub Actions, `plan` and `diff` would append to the job's real summary.
        .env_remove("GITHUB_STEP_SUMMARY")
        // The Autumn backend's settings come from each test, never from the developer's shell.
        .env_remove("AUTUMN_SECRET_KEY")
        .env_remove("AUTUMN_API_URL")
        // The Autumn backend's pace shared between processes lives in the user's cache: the
        // tests' own, never the developer's.
        .env("XDG_CACHE_HOME", cache_home());
    command
}

/// The cache directory `pricectl` runs with in the tests (`XDG_CACHE_HOME`), under Cargo's
/// temporary directory for integration tests.
pub fn cache_home() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cache")
}

/// Runs `pricectl ARGS` in the crate root.
pub fn run(args: &[&str]) -> Output {
    pricectl().args(args).output().expect("pricectl runs")
}

/// What a command printed on stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// What a command printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// The text of `pricing-examples/NAME/pricing.toml`.
pub fn example(name: &str) -> String {
    let path = root()
        .join("pricing-examples")
        .join(name)
        .join("pricing.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A 64-digit hex SHA-256, as plans print their fingerprints: they change whenever the
/// serialized catalog does, which is not what a snapshot of a plan is about.
const FINGERPRINT: &str = r"\b[0-9a-f]{64}\b";

/// An RFC 3339 instant as the ledger prints the current time.
const TIME: &str = r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z";

/// The filters every snapshot gets: the crate version and fingerprints.
pub fn filters() -> Vec<(String, String)> {
    vec![
        (escape(env!("CARGO_PKG_VERSION")), "[VERSION]".into()),
        (FINGERPRINT.into(), "[FINGERPRINT]".into()),
    ]
}

/// Snapshot settings with [`filters`], and without the asserted expression in the file.
pub fn settings() -> insta::Settings {
    with_filters(filters())
}

/// Runs `assertions` (insta snapshots) with [`settings`].
pub fn bind<R>(assertions: impl FnOnce() -> R) -> R {
    settings().bind(assertions)
}

fn with_filters(filters: Vec<(String, String)>) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    for (pattern, replacement) in filters {
        settings.add_filter(&pattern, replacement);
    }
    settings
}

/// A pattern that matches `text` literally.
fn escape(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len());
    for character in text.chars() {
        if r"\.+*?()|[]{}^$#&-~".contains(character) {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern
}

/// What a user sees of `pricectl ARGS` in a terminal session: the command, its stdout then
/// stderr, and its exit status.
pub fn transcript(args: &[&str], output: &Output) -> String {
    format!(
        "$ pricectl {}\n{}{}[exit {}]\n",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        output.status.code().unwrap_or(-1)
    )
}

/// A temporary directory where `pricectl` runs, removed when the context is dropped.
pub struct TestContext {
    directory: tempfile::TempDir,
    filter_times: bool,
}

impl TestContext {
    /// An empty directory.
    pub fn new() -> Self {
        Self {
            directory: tempfile::tempdir().expect("a temp dir"),
            filter_times: false,
        }
    }

    /// A directory holding the example `NAME` as `pricing.toml`.
    pub fn with_example(name: &str) -> Self {
        let context = Self::new();
        context.write("pricing.toml", &example(name));
        context
    }

    /// Also replaces RFC 3339 instants by `[TIME]` in snapshots, for commands that stamp the
    /// current time (ledger commands without `--at`).
    #[must_use]
    pub fn with_filtered_times(mut self) -> Self {
        self.filter_times = true;
        self
    }

    /// The directory itself.
    pub fn directory(&self) -> &Path {
        self.directory.path()
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.directory.path().join(name)
    }

    /// Writes a file (and the directories above it) inside the directory.
    pub fn write(&self, name: &str, text: &str) -> &Self {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the parent directory");
        }
        std::fs::write(&path, text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        self
    }

    /// Reads a file inside the directory.
    pub fn read(&self, name: &str) -> String {
        let path = self.path(name);
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
    }

    /// `pricectl` with the directory as its working directory, to add arguments or environment.
    pub fn command(&self) -> Command {
        let mut command = pricectl();
        command.current_dir(self.directory.path());
        command
    }

    /// Runs `pricectl ARGS` in the directory.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("pricectl runs")
    }

    /// Runs `pricectl ARGS` in a subdirectory.
    pub fn run_in(&self, subdirectory: &str, args: &[&str]) -> Output {
        self.command()
            .current_dir(self.path(subdirectory))
            .args(args)
            .output()
            .expect("pricectl runs")
    }

    /// Runs `pricectl ARGS` and returns what a user sees in a terminal session: the command,
    /// its stdout then stderr, and its exit status.
    pub fn transcript(&self, args: &[&str]) -> String {
        transcript(args, &self.run(args))
    }

    /// The filters for this context: its directory (as given and as resolved, longest first)
    /// becomes `[TEMP]`, then [`filters`], then times if asked for.
    pub fn filters(&self) -> Vec<(String, String)> {
        let given = self.directory.path().to_path_buf();
        let resolved = given.canonicalize().unwrap_or_else(|_| given.clone());
        let mut directories = vec![given, resolved];
        directories.sort_by_key(|path| std::cmp::Reverse(path.as_os_str().len()));
        directories.dedup();
        let mut all: Vec<(String, String)> = directories
            .iter()
            .map(|path| (escape(&path.display().to_string()), "[TEMP]".into()))
            .collect();
        all.extend(filters());
        if self.filter_times {
            all.push((TIME.into(), "[TIME]".into()));
        }
        all
    }

    /// Runs `assertions` (insta snapshots) with this context's filters.
    pub fn bind<R>(&self, assertions: impl FnOnce() -> R) -> R {
        with_filters(self.filters()).bind(assertions)
    }
}

/// The human report exactly as `validate` prints it when not on a terminal.
pub fn human_report(compilation: &Compilation) -> String {
    let options = HumanOptions {
        color: false,
        width: 100,
        deny_warnings: false,
    };
    render_human(&compilation.diagnostics, &compilation.sources, options)
}

/// The `--format json` report.
pub fn json_report(compilation: &Compilation) -> String {
    render_json(
        &compilation.diagnostics,
        &compilation.sources,
        compilation.error_count(),
        compilation.warning_count(),
    )
}

/// Every pricing example directory.
pub fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("pricing-examples"))
        .expect("pricing-examples exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.is_dir())
        .collect();
    paths.sort();
    paths
}

/// A path relative to the crate root, as tests pass it to the compiler.
pub fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

/// The codes a compilation reported, sorted and de-duplicated.
pub fn codes(compilation: &Compilation) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = compilation
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code.name())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// The catalog of valid pricing text (`name` is the file it is said to come from); panics with
/// the diagnostics when it does not compile.
pub fn catalog_of(name: &str, text: &str) -> pricectl::catalog::Catalog {
    let mut sources = pricectl::dsl::SourceSet::default();
    sources.add(name.into(), text.to_string());
    let compilation = pricectl::compile(sources);
    compilation
        .catalog
        .unwrap_or_else(|| panic!("{name} compiles: {:?}", compilation.diagnostics))
}
