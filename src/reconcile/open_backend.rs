use crate::backend::local::LocalStore;
use crate::backend::{Backend, BackendChoice, BackendError};

/// Opens the billing system `choice` names. Every command reaches its backend through here,
/// whatever the backend, so a new one is added in one place.
pub fn open_backend(choice: &BackendChoice) -> Result<Box<dyn Backend>, BackendError> {
    match choice {
        BackendChoice::Local { path } => Ok(Box::new(LocalStore::open(path)?)),
    }
}
