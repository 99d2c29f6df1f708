//! Autumn, the billing system the pricing language is modelled on: its HTTP API's wire types
//! ([`wire`]) and the mapping between its catalog shapes and pricectl's canonical catalog
//! ([`mapping`]). The server (`pricectl serve`) and the Autumn backend client use the same
//! definitions, so the two can never disagree about a field.

pub mod mapping;
pub mod wire;
