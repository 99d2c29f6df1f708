use std::path::{Component, Path, PathBuf};

/// `path` as an absolute path with symbolic links resolved as far as it exists: the file
/// itself when it exists, else its directory (a store not created yet), else as given joined
/// to the working directory.
pub fn absolute(path: &Path) -> PathBuf {
    if let Ok(resolved) = path.canonicalize() {
        return resolved;
    }
    let directory = path
        .parent()
        .filter(|directory| !directory.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (directory.canonicalize(), path.file_name()) {
        (Ok(directory), Some(name)) => directory.join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// The path that leads from the directory `base` to `target`, both absolute: `pricing.toml`,
/// `../pricing/`, `.` for `base` itself. A `target` on another root (another drive) stays
/// absolute.
pub fn relative_to(target: &Path, base: &Path) -> PathBuf {
    let target_components: Vec<Component<'_>> = target.components().collect();
    let base_components: Vec<Component<'_>> = base.components().collect();
    let shared = target_components
        .iter()
        .zip(&base_components)
        .take_while(|(target, base)| target == base)
        .count();
    let same_root = shared > 0
        && matches!(
            target_components.first(),
            Some(Component::RootDir | Component::Prefix(_))
        );
    if !same_root {
        return target.to_path_buf();
    }
    let mut relative = PathBuf::new();
    for _ in shared..base_components.len() {
        relative.push("..");
    }
    for component in &target_components[shared..] {
        relative.push(component.as_os_str());
    }
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    relative
}

#[cfg(test)]
mod tests {
    use super::relative_to;
    use std::path::Path;

    #[test]
    fn relative_paths_lead_from_the_base_to_the_target() {
        let cases = [
            ("/repo/pricing.toml", "/repo", "pricing.toml"),
            ("/repo/pricing", "/repo/plans", "../pricing"),
            ("/repo", "/repo", "."),
            (
                "/repo/.pricectl/local.db",
                "/tmp/ci",
                "../../repo/.pricectl/local.db",
            ),
            ("/a/b/c.toml", "/", "a/b/c.toml"),
        ];
        for (target, base, expected) in cases {
            assert_eq!(
                relative_to(Path::new(target), Path::new(base)),
                Path::new(expected),
                "{target} from {base}"
            );
        }
    }
}
