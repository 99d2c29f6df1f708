//! The embedded backend: a `SQLite` file that holds a real billing catalog, with plan versions
//! and the customers on them.
//!
//! Durability: WAL journal with `synchronous = FULL`, so a committed transaction survives the
//! process being killed and a power loss. An apply is one `BEGIN IMMEDIATE` transaction: all of
//! its changes or none, and no other writer in between.

mod schema;
mod store;

pub use store::LocalStore;
