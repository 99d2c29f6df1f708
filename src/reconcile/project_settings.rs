//! `pricectl.toml` beside the pricing: which billing system the project's pricing is applied
//! to, so CI needs no long flags. A small file of settings, never the pricing (a pricing
//! directory's `pricectl.toml` is not read as pricing) and never a secret: the key stays in
//! the environment, the file names only the variable that holds it.
//!
//! ```toml
//! [backend]
//! kind = "autumn"                        # or "local" (the default)
//! api_url = "https://api.useautumn.com"  # optional; `--api-url` and AUTUMN_API_URL win
//! key_variable = "AUTUMN_SECRET_KEY"     # optional: the variable holding the secret key
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The settings file's name.
pub const SETTINGS_FILE: &str = "pricectl.toml";

/// The variable an Autumn key is read from when the settings name none.
pub const DEFAULT_KEY_VARIABLE: &str = "AUTUMN_SECRET_KEY";

/// What a project says about where its pricing goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSettings {
    #[serde(default)]
    pub backend: Option<BackendSettings>,
}

/// The `[backend]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendSettings {
    pub kind: BackendKindSetting,
    /// Autumn's API (`autumn` only).
    #[serde(default)]
    pub api_url: Option<String>,
    /// The environment variable holding Autumn's secret key (`autumn` only).
    #[serde(default)]
    pub key_variable: Option<String>,
}

/// `kind = "local" | "autumn"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKindSetting {
    Local,
    Autumn,
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("could not read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not valid pricectl settings: {detail}", path.display())]
    Invalid { path: PathBuf, detail: String },
}

impl ProjectSettings {
    /// Where the settings of the pricing at `pricing` (a file or a directory) are.
    pub fn path_for(pricing: &Path) -> PathBuf {
        let directory = if pricing.is_dir() {
            pricing.to_path_buf()
        } else {
            pricing.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        directory.join(SETTINGS_FILE)
    }

    /// The settings beside `pricing`; none when there is no settings file.
    pub fn beside(pricing: &Path) -> Result<ProjectSettings, SettingsError> {
        let path = ProjectSettings::path_for(pricing);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ProjectSettings::default());
            }
            Err(source) => return Err(SettingsError::Read { path, source }),
        };
        let settings: ProjectSettings =
            toml::from_str(&text).map_err(|error| SettingsError::Invalid {
                path: path.clone(),
                detail: error.message().to_string(),
            })?;
        if let Some(backend) = &settings.backend {
            let autumn_only = backend.api_url.is_some() || backend.key_variable.is_some();
            if backend.kind == BackendKindSetting::Local && autumn_only {
                return Err(SettingsError::Invalid {
                    path,
                    detail: "`api_url` and `key_variable` are settings of `kind = \"autumn\"`"
                        .into(),
                });
            }
            if let Some(variable) = &backend.key_variable
                && (variable.is_empty()
                    || !variable
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_'))
            {
                return Err(SettingsError::Invalid {
                    path,
                    // Not echoed: it may be the key itself, put here by mistake.
                    detail: "`key_variable` names an environment variable (letters, digits and `_`): the key itself never goes in a file".into(),
                });
            }
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<ProjectSettings, SettingsError> {
        let directory = tempfile::tempdir().expect("a directory");
        std::fs::write(directory.path().join(SETTINGS_FILE), text).expect("written");
        ProjectSettings::beside(&directory.path().join("pricing.toml"))
    }

    #[test]
    fn the_backend_is_read_and_a_key_is_never_taken_for_a_variable() {
        let settings =
            read("[backend]\nkind = \"autumn\"\nkey_variable = \"AUTUMN_SANDBOX_KEY\"\n")
                .expect("valid");
        assert_eq!(
            settings.backend,
            Some(BackendSettings {
                kind: BackendKindSetting::Autumn,
                api_url: None,
                key_variable: Some("AUTUMN_SANDBOX_KEY".into()),
            })
        );
        let refused = read("[backend]\nkind = \"autumn\"\nkey_variable = \"am_sk_test_x-y\"\n")
            .expect_err("a key is not a variable name");
        assert!(
            refused.to_string().contains("never goes in a file"),
            "{refused}"
        );
        assert!(read("[backend]\nkind = \"stripe\"\n").is_err());
        assert!(read("[backend]\nkind = \"local\"\napi_url = \"https://x\"\n").is_err());
        assert!(read("[backnd]\n").is_err(), "unknown tables are refused");
    }

    #[test]
    fn no_file_is_no_settings() {
        let directory = tempfile::tempdir().expect("a directory");
        assert_eq!(
            ProjectSettings::beside(&directory.path().join("pricing.toml")).expect("fine"),
            ProjectSettings::default()
        );
    }
}
