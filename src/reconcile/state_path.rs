use std::path::{Path, PathBuf};

/// Where the local store lives when `--state` is not given: `.pricectl/local.db` beside the
/// pricing (inside it, for a pricing directory).
pub fn default_state_path(pricing: &Path) -> PathBuf {
    let directory = if pricing.is_dir() {
        pricing.to_path_buf()
    } else {
        pricing.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    directory.join(".pricectl").join("local.db")
}
