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
    }
}
