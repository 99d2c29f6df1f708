//! What a billing system holds now: the live catalog and the facts about its customers that a
//! diff needs, and the fingerprints that tell whether it has moved.
//!
//! Plain data, below both the diff (which reads it) and the backends (which fetch it), so
//! dependencies run one way: `catalog` ← `live` ← `diff` ← `backend` ← `reconcile` ← `cli`.
//! Nothing here may import `diff` or `backend`.

mod environment;
mod fingerprint;
mod live_state;
mod unmanaged;

pub use environment::Environment;
pub use fingerprint::fingerprint;
pub use live_state::{HeldCredits, LivePlan, LiveState};
pub use unmanaged::Unmanaged;
