//! Writing the files commands produce (`fmt`'s pricing, `import -o`, `plan --out`).

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// How many symbolic links a path may pass through, as Linux allows.
const MAX_LINKS: usize = 40;

/// Writes `text` to `path` through a temporary file beside it and a rename, so a reader never
/// sees half a file and a failure leaves the old file as it was.
///
/// An existing file stays what it was except for its content: a symbolic link stays a link
/// (the file it points to is replaced) and the file keeps its permissions (a `0600` file is
/// not left readable by others, not even while it is written).
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let target = resolve_links(path)?;
    let directory = target
        .parent()
        .filter(|directory| !directory.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target.file_name().map_or_else(
        || "output".into(),
        |name| name.to_string_lossy().to_string(),
    );
    let permissions = std::fs::metadata(&target)
        .ok()
        .map(|metadata| metadata.permissions());
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(permissions) = &permissions {
            use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
            options.mode(permissions.mode());
        }
        let mut file = options.open(&temporary)?;
        if let Some(permissions) = permissions {
            // The creation mode is masked by the umask; this one is not.
            file.set_permissions(permissions)?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// The file `path` names once its symbolic links are followed (itself when it is none, or
/// does not exist yet); a dangling link gives the path it points to, which is then created.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other(format!(
        "`{}` passes through more than {MAX_LINKS} symbolic links",
        path.display()
    )))
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{PermissionsExt as _, symlink};

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn a_private_file_stays_private() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("pricing.toml");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        write_atomically(&path, "new").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        assert_eq!(mode(&path), 0o600);
        let executable = directory.path().join("script");
        std::fs::write(&executable, "old").expect("write");
        std::fs::set_permissions(&executable, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        write_atomically(&executable, "new").expect("written");
        assert_eq!(mode(&executable), 0o755);
    }

    #[test]
    fn a_link_stays_a_link_through_a_chain_and_relative_targets() {
        let directory = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(directory.path().join("shared")).expect("mkdir");
        let real = directory.path().join("shared/pricing.toml");
        std::fs::write(&real, "old").expect("write");
        let middle = directory.path().join("shared/current.toml");
        symlink("pricing.toml", &middle).expect("link");
        let link = directory.path().join("pricing.toml");
        symlink("shared/current.toml", &link).expect("link");
        write_atomically(&link, "new").expect("written");
        assert!(
            link.symlink_metadata()
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert!(
            middle
                .symlink_metadata()
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "new");
        let leftovers = std::fs::read_dir(directory.path().join("shared"))
            .expect("read dir")
            .count();
        assert_eq!(leftovers, 2, "no temporary file is left");
    }

    #[test]
    fn a_new_file_is_created_and_a_loop_is_an_error() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("plan.json");
        write_atomically(&path, "{}").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "{}");
        let looped = directory.path().join("loop");
        symlink("loop", &looped).expect("link");
        let error = write_atomically(&looped, "x").expect_err("a loop");
        assert!(error.to_string().contains("symbolic links"), "{error}");
    }
}
