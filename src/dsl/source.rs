use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::diagnostics::{FileId, LineIndex};
use crate::input::{LimitedReadError, PRICING_BYTES, Size, read_limited};

/// One pricing file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user should see it (relative when they gave a relative path).
    pub path: PathBuf,
    pub text: String,
    /// Where its lines start, built when a diagnostic or an annotation first needs it.
    lines: OnceLock<LineIndex>,
}

impl SourceFile {
    /// Where the lines of [`SourceFile::text`] start.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// The files that form one catalog: a single file, or every `*.toml` file of a directory
/// (sorted by name, so ids and diagnostics come out in the same order on every machine).
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    files: Vec<SourceFile>,
}

/// Why the pricing source could not be read at all (before any TOML is looked at).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("`{}` does not exist", path.display())]
    NotFound { path: PathBuf },
    #[error("could not read `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not UTF-8 text", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("the directory `{}` has no `*.toml` files", path.display())]
    EmptyDirectory { path: PathBuf },
    #[error("`{}` is larger than {limit}, the most pricectl reads as a pricing file", path.display())]
    TooLarge { path: PathBuf, limit: Size },
}

impl SourceSet {
    /// Reads a file, or every `*.toml` file directly inside a directory.
    pub fn load(path: &Path) -> Result<SourceSet, LoadError> {
        let mut set = SourceSet::default();
        for file_path in toml_files(path, false)? {
            let text = read_text(&file_path)?;
            set.add(file_path, text);
        }
        Ok(set)
    }

    /// Adds a file held in memory (tests, `git:` revisions, generated catalogs).
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(SourceFile {
            path,
            text,
            lines: OnceLock::new(),
        });
        id
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(index, file)| {
            (
                FileId(u32::try_from(index).expect("fewer than 2^32 files")),
                file,
            )
        })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn io_error(path: &Path, source: std::io::Error) -> LoadError {
    if source.kind() == std::io::ErrorKind::NotFound {
        LoadError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        LoadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// `path` itself when it is a file; otherwise every `*.toml` file directly inside the
/// directory, in name order (scenario files only when asked for: they are not pricing).
pub(crate) fn toml_files(path: &Path, with_scenarios: bool) -> Result<Vec<PathBuf>, LoadError> {
    let metadata = std::fs::metadata(path).map_err(|source| io_error(path, source))?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|source| io_error(path, source))? {
        let file = entry.map_err(|source| io_error(path, source))?.path();
        let is_toml = file
            .extension()
            .is_some_and(|extension| extension == "toml");
        let is_scenario = file.to_string_lossy().ends_with(".scenario.toml");
        // `pricectl.toml` holds the project's settings (which backend), not pricing.
        let is_settings = file.file_name().is_some_and(|name| name == "pricectl.toml");
        if is_toml && (with_scenarios || !is_scenario) && !is_settings && file.is_file() {
            // A directory given as `.` lists `pricing.toml`, not `./pricing.toml`.
            let shown = file.strip_prefix(".").map(Path::to_path_buf);
            files.push(shown.unwrap_or(file));
        }
    }
    if files.is_empty() {
        return Err(LoadError::EmptyDirectory {
            path: path.to_path_buf(),
        });
    }
    files.sort();
    Ok(files)
}

/// A file's text, of at most [`PRICING_BYTES`]; not UTF-8 is an error, never a lossy
/// conversion.
pub(crate) fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = read_limited(path, PRICING_BYTES).map_err(|error| match error {
        LimitedReadError::Io(source) => io_error(path, source),
        LimitedReadError::TooLarge { limit } => LoadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        },
    })?;
    String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8 {
        path: path.to_path_buf(),
    })
}
