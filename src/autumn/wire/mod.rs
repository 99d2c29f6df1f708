//! Autumn's HTTP API on the wire: one definition of every request and response body, the
//! error body and the version header, shared by `pricectl serve` and the Autumn backend
//! client. Amounts are exact JSON numbers ([`number`]). Request bodies refuse fields they do
//! not define, so nothing a client sends is dropped silently; response bodies accept fields
//! they do not define, so a newer Autumn does not break the client.

pub mod balances;
pub mod billing;
pub mod billing_controls;
pub mod catalog;
pub mod cursor;
pub mod customer;
pub mod entity;
pub mod error;
pub mod feature;
pub mod number;
pub mod organization;
mod patch;
pub mod plan;
pub mod version;

#[cfg(test)]
mod recorded;

pub use error::ErrorBody;
pub use version::ApiVersion;
