use super::ChangeStatus;
use crate::diff::Change;

/// Told by a backend as it applies each change, so a slow apply can show where it is.
///
/// A backend calls `started` then `finished` for every change it attempts, the starts in plan
/// order and the ends in plan order; changes it never attempts get neither. A backend sending
/// several changes in one request starts each of them before the first finishes. `index`
/// counts from 0 among `total` changes.
pub trait ApplyProgress {
    fn started(&mut self, index: usize, total: usize, change: &Change);
    fn finished(&mut self, index: usize, total: usize, change: &Change, status: &ChangeStatus);
}

/// Progress nobody watches.
pub struct NoProgress;

impl ApplyProgress for NoProgress {
    fn started(&mut self, _: usize, _: usize, _: &Change) {}
    fn finished(&mut self, _: usize, _: usize, _: &Change, _: &ChangeStatus) {}
}
