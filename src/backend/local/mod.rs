//! The embedded backend: the catalog tables of the store (`crate::store`) as a billing system,
//! with plan versions and the customers on them.
//!
//! An apply is one `BEGIN IMMEDIATE` transaction: all of its changes or none, and no other
//! writer in between. It raises the store's catalog revision in the same transaction.

mod store;

pub use store::LocalStore;
