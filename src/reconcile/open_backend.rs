use crate::backend::local::LocalStore;
use crate::backend::{Backend, BackendChoice, BackendError};
use crate::store::Access;

/// Opens the billing system `choice` names, for what the command does with it (`access`: a
/// command that only reads never creates or migrates a local store). Every command reaches
/// its backend through here, whatever the backend, so a new one is added in one place.
pub fn open_backend(
    choice: &BackendChoice,
    access: Access,
) -> Result<Box<dyn Backend>, BackendError> {
    match choice {
        BackendChoice::Local { path } => Ok(Box::new(LocalStore::open_with(path, access)?)),
        BackendChoice::Autumn {
            api_url,
            key_variable,
        } => open_autumn(api_url, key_variable),
    }
}

/// The Autumn backend at `api_url`, its key read from the environment variable
/// `key_variable`.
#[cfg(feature = "autumn")]
fn open_autumn(api_url: &str, key_variable: &str) -> Result<Box<dyn Backend>, BackendError> {
    use crate::backend::autumn::{ApiUrl, AutumnBackend, SecretKey};
    let system = || "Autumn API".to_string();
    let url = ApiUrl::parse(api_url).map_err(|error| BackendError::Unavailable {
        system: system(),
        detail: error.to_string(),
    })?;
    let key =
        SecretKey::from_environment(key_variable).ok_or_else(|| BackendError::Unauthorized {
            system: system(),
            detail: format!(
                "no secret key: set `{key_variable}` to the organization's key (`am_sk_test_…` for the sandbox, `am_sk_live_…` for live)"
            ),
        })?;
    // Autumn's rate limit is per organization: paced with the other processes using it.
    Ok(Box::new(AutumnBackend::new(url, key)?.with_shared_pace()))
}

/// Without the `autumn` feature there is no HTTP client to reach Autumn with.
#[cfg(not(feature = "autumn"))]
fn open_autumn(_: &str, _: &str) -> Result<Box<dyn Backend>, BackendError> {
    Err(BackendError::Unavailable {
        system: "Autumn API".to_string(),
        detail: "this pricectl was built without the Autumn backend (cargo feature `autumn`)"
            .to_string(),
    })
}
