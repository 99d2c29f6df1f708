//! pricectl: pricing-as-code for usage-based billing.
//!
//! The flow: [`dsl`] reads pricing files into spanned documents, [`check`] applies the
//! semantic rules, [`lower`] turns a clean set of documents into the canonical
//! [`catalog::Catalog`], and [`render`] shows diagnostics (and, later, plans) as text, JSON or
//! GitHub annotations. [`compile`] runs the whole front end; the CLI is a thin layer over it.

pub mod autumn;
pub mod backend;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod compile;
pub mod diagnostics;
pub mod diff;
pub mod dsl;
pub mod impact;
pub mod input;
pub mod ledger;
pub mod live;
pub mod lower;
pub mod reconcile;
pub mod render;
pub mod scenario;
#[cfg(feature = "serve")]
pub mod serve;
pub mod store;

pub use compile::{Compilation, compile, compile_path};
