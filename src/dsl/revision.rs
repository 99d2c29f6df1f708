//! One side of `pricectl diff`: a pricing file or directory on disk, or the same at a git
//! revision (`git:REV[:PATH]`).
//!
//! A revision is read with the `git` program, in the repository of the current directory:
//! `git cat-file -t` says whether `REV:PATH` is a file or a directory, `git cat-file blob`
//! reads a file and `git ls-tree` lists a directory's `*.toml` files. `PATH` is relative to the
//! current directory, as a path on disk is, so `git:main` and `pricing.toml` name the same file
//! at two points in time.

use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use super::source::{LoadError, SourceSet};
use crate::input::{PRICING_BYTES, Size};

/// The pricing file a `git:` source names when it gives no `PATH`.
pub const DEFAULT_PRICING: &str = "pricing.toml";

/// Where one version of the pricing is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PricingSource {
    /// A pricing file, or a directory whose `*.toml` files form one catalog.
    Path(PathBuf),
    /// The same, as committed at a git revision.
    Git {
        /// A revision as git reads it: a commit, branch, tag, `HEAD~1`.
        revision: String,
        /// The file or directory, relative to the current directory.
        path: PathBuf,
    },
}

/// The files of one version of the pricing.
#[derive(Debug, Clone)]
pub struct LoadedPricing {
    /// The files, each named for people: as given on disk, `git:REV:PATH` at a revision.
    pub sources: SourceSet,
    /// Each file's path as GitHub names it in an annotation, by file id: as given for a file on
    /// disk, from the repository root for a file at a revision.
    pub annotation_paths: Vec<PathBuf>,
}

/// Why a `git:` source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("could not run `git`")]
    GitMissing {
        #[source]
        source: std::io::Error,
    },
    #[error("the current directory is not inside a git repository: {message}")]
    NotARepository { message: String },
    #[error("the revision `{revision}` does not exist in this git repository")]
    UnknownRevision { revision: String },
    #[error("`{}` does not exist at the revision `{revision}`", path.display())]
    NotAtRevision { revision: String, path: PathBuf },
    #[error("`{}` is outside the git repository", path.display())]
    OutsideRepository { path: PathBuf },
    #[error("the directory `{}` has no `*.toml` files at the revision `{revision}`", path.display())]
    EmptyDirectory { revision: String, path: PathBuf },
    #[error("`{}` at the revision `{revision}` is not UTF-8 text", path.display())]
    NotUtf8 { revision: String, path: PathBuf },
    #[error("`git {arguments}` failed: {message}")]
    Git { arguments: String, message: String },
}

/// A `git:` source written wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` names no revision: write `git:REV` or `git:REV:PATH`, such as `git:main:pricing.toml`"
)]
pub struct SourceSyntaxError {
    pub text: String,
}

impl FromStr for PricingSource {
    type Err = SourceSyntaxError;

    /// `git:REV[:PATH]` is a revision (the revision ends at the first `:` after `git:`);
    /// anything else is a path (write `./git:x` for a file whose name starts with `git:`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let Some(rest) = text.strip_prefix("git:") else {
            return Ok(PricingSource::Path(PathBuf::from(text)));
        };
        let (revision, path) = rest.split_once(':').unwrap_or((rest, ""));
        if revision.is_empty() || revision.starts_with('-') {
            return Err(SourceSyntaxError { text: text.into() });
        }
        let path = if path.is_empty() {
            DEFAULT_PRICING
        } else {
            path
        };
        Ok(PricingSource::Git {
            revision: revision.into(),
            path: PathBuf::from(path),
        })
    }
}

impl fmt::Display for PricingSource {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PricingSource::Path(path) => write!(formatter, "{}", path.display()),
            PricingSource::Git { revision, path } => {
                write!(formatter, "git:{revision}:{}", path.display())
            }
        }
    }
}

impl PricingSource {
    /// Reads the files of this version of the pricing.
    pub fn load(&self) -> Result<LoadedPricing, RevisionError> {
        match self {
            PricingSource::Path(path) => {
                let sources = SourceSet::load(path)?;
                let annotation_paths = sources.files().map(|(_, file)| file.path.clone()).collect();
                Ok(LoadedPricing {
                    sources,
                    annotation_paths,
                })
            }
            PricingSource::Git { revision, path } => load_revision(revision, path),
        }
    }
}

fn load_revision(revision: &str, path: &Path) -> Result<LoadedPricing, RevisionError> {
    let location =
        git(&["rev-parse", "--show-toplevel", "--show-prefix"]).map_err(|error| match error {
            RevisionError::Git { message, .. } => RevisionError::NotARepository { message },
            other => other,
        })?;
    let location = text_of(&location);
    let mut lines = location.lines();
    let top_level = PathBuf::from(lines.next().unwrap_or_default());
    let prefix = lines.next().unwrap_or_default();
    let repository_path = repository_path(&top_level, prefix, path)?;

    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &format!("{revision}^{{commit}}"),
    ])
    .map_err(|error| match error {
        RevisionError::Git { .. } => RevisionError::UnknownRevision {
            revision: revision.into(),
        },
        other => other,
    })?;
    let commit = text_of(&commit).trim().to_string();
    let object = format!("{commit}:{repository_path}");
    let not_there = || RevisionError::NotAtRevision {
        revision: revision.into(),
        path: path.to_path_buf(),
    };
    let kind = git(&["cat-file", "-t", &object]).map_err(|error| match error {
        RevisionError::Git { .. } => not_there(),
        other => other,
    })?;
    let display = |relative: &Path| PathBuf::from(format!("git:{revision}:{}", relative.display()));
    let mut sources = SourceSet::default();
    let mut annotation_paths = Vec::new();
    match text_of(&kind).trim() {
        "blob" => {
            let bytes = git(&["cat-file", "blob", &object])?;
            sources.add(display(path), utf8(bytes, revision, path)?);
            annotation_paths.push(PathBuf::from(&repository_path));
        }
        "tree" => {
            let listing = git(&["ls-tree", "-z", "--full-tree", &object])?;
            let mut files = Vec::new();
            for entry in listing.split(|byte| *byte == 0) {
                // `MODE TYPE OBJECT\tNAME`
                let entry = String::from_utf8_lossy(entry);
                let Some((header, name)) = entry.split_once('\t') else {
                    continue;
                };
                let mut fields = header.split(' ');
                let (Some(_mode), Some("blob"), Some(id)) =
                    (fields.next(), fields.next(), fields.next())
                else {
                    continue;
                };
                let is_pricing = Path::new(name)
                    .extension()
                    .is_some_and(|extension| extension == "toml")
                    // Scenario files live beside the pricing but are not part of the catalog.
                    && !name.ends_with(".scenario.toml");
                if is_pricing {
                    files.push((name.to_string(), id.to_string()));
                }
            }
            if files.is_empty() {
                return Err(RevisionError::EmptyDirectory {
                    revision: revision.into(),
                    path: path.to_path_buf(),
                });
            }
            files.sort();
            for (name, id) in files {
                let relative = path.join(&name);
                let bytes = git(&["cat-file", "blob", &id])?;
                sources.add(display(&relative), utf8(bytes, revision, &relative)?);
                annotation_paths.push(if repository_path.is_empty() {
                    PathBuf::from(&name)
                } else {
                    PathBuf::from(format!("{repository_path}/{name}"))
                });
            }
        }
        _ => return Err(not_there()),
    }
    Ok(LoadedPricing {
        sources,
        annotation_paths,
    })
}

/// `path` (relative to the current directory, `prefix` within the repository, or absolute) as
/// a path from the repository root, `/`-separated, without `.` or `..`.
fn repository_path(top_level: &Path, prefix: &str, path: &Path) -> Result<String, RevisionError> {
    let outside = || RevisionError::OutsideRepository {
        path: path.to_path_buf(),
    };
    let relative = if path.is_absolute() {
        let top_level = top_level
            .canonicalize()
            .unwrap_or_else(|_| top_level.into());
        let absolute = path.canonicalize().unwrap_or_else(|_| path.into());
        absolute
            .strip_prefix(&top_level)
            .map_err(|_| outside())?
            .to_path_buf()
    } else {
        Path::new(prefix).join(path)
    };
    let mut parts: Vec<String> = Vec::new();
    for component in relative.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop().ok_or_else(outside)?;
            }
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::RootDir | Component::Prefix(_) => return Err(outside()),
        }
    }
    Ok(parts.join("/"))
}

/// Runs `git` in the current directory; its stdout, or its first line of stderr as the error.
fn git(arguments: &[&str]) -> Result<Vec<u8>, RevisionError> {
    let output = Command::new("git")
        .args(arguments)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|source| RevisionError::GitMissing { source })?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(RevisionError::Git {
        arguments: arguments.join(" "),
        message: stderr
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("no message")
            .trim()
            .to_string(),
    })
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A file's text at a revision: as on disk, at most [`PRICING_BYTES`] of UTF-8.
fn utf8(bytes: Vec<u8>, revision: &str, path: &Path) -> Result<String, RevisionError> {
    if bytes.len() as u64 > PRICING_BYTES {
        return Err(RevisionError::Load(LoadError::TooLarge {
            path: path.to_path_buf(),
            limit: Size(PRICING_BYTES),
        }));
    }
    String::from_utf8(bytes).map_err(|_| RevisionError::NotUtf8 {
        revision: revision.into(),
        path: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{PricingSource, RevisionError, repository_path};

    #[test]
    fn reads_sources_as_written() {
        let cases = [
            ("pricing.toml", PricingSource::Path("pricing.toml".into())),
            ("prices/", PricingSource::Path("prices/".into())),
            (
                "git:main",
                PricingSource::Git {
                    revision: "main".into(),
                    path: "pricing.toml".into(),
                },
            ),
            (
                "git:HEAD~1:prices",
                PricingSource::Git {
                    revision: "HEAD~1".into(),
                    path: "prices".into(),
                },
            ),
            (
                "git:abc123:",
                PricingSource::Git {
                    revision: "abc123".into(),
                    path: "pricing.toml".into(),
                },
            ),
            ("./git:x", PricingSource::Path("./git:x".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<PricingSource>(), Ok(expected), "{text}");
        }
        assert!("git:".parse::<PricingSource>().is_err());
        assert!("git::pricing.toml".parse::<PricingSource>().is_err());
        assert!("git:--output=x".parse::<PricingSource>().is_err());
        assert_eq!(
            "git:HEAD~1:prices"
                .parse::<PricingSource>()
                .unwrap()
                .to_string(),
            "git:HEAD~1:prices"
        );
    }

    #[test]
    fn paths_are_taken_from_the_repository_root() {
        let top = Path::new("/repository");
        let cases = [
            ("", "pricing.toml", "pricing.toml"),
            ("sub/", "pricing.toml", "sub/pricing.toml"),
            ("sub/", "../pricing.toml", "pricing.toml"),
            ("sub/", "./a/../b.toml", "sub/b.toml"),
            ("", ".", ""),
        ];
        for (prefix, path, expected) in cases {
            assert_eq!(
                repository_path(top, prefix, &PathBuf::from(path)).unwrap(),
                expected,
                "{prefix} {path}"
            );
        }
        assert!(matches!(
            repository_path(top, "", Path::new("../outside.toml")),
            Err(RevisionError::OutsideRepository { .. })
        ));
    }
}
