//! The credit ledger: the runtime side of the catalog, over the local store.
//!
//! Customers attach plans (subscribing, or buying prepaid quantities), use metered features
//! (`track`), ask whether they may (`check`), and receive gifts (`grant`). Every change to a
//! balance is an append-only entry; balances are the sum of their entries, kept per lot (a
//! grant with its own expiry) so usage draws in a fixed order. See docs/ledger.md.

mod attach;
mod catalog;
mod charge;
mod clock;
mod controls;
mod customer_controls;
mod entities;
mod entitlement;
mod error;
mod exact;
mod identifiers;
mod journal;
mod ledger;
mod lots;
mod model;
mod operation;
mod proration;
mod quantity;
mod renewal;
mod switch;
mod write_transaction;

pub use charge::{Charge, LineItem, round_charge};
pub use clock::{Instant, InvalidInstant, Period};
pub use customer_controls::{
    AutoTopUpResult, AutoTopUpView, ControlSource, SetAutoTopUpRequest, TopUpSwitch,
};
pub use entities::ListedEntity;
pub use error::LedgerError;
pub(crate) use identifiers::check_idempotency_key;
pub use identifiers::{LONGEST_CUSTOMER_ID, LONGEST_IDEMPOTENCY_KEY};
pub use ledger::Ledger;
pub use model::{
    AttachRequest, AttachResult, BalanceView, ChargeRecord, ChargeView, CheckResult,
    CreateEntityRequest, CustomerView, EntityBalance, EntitySummary, EntityView, GrantRequest,
    GrantResult, HistoryEntry, LotView, Overage, QuantityChange, QuantityResult,
    SetQuantityRequest, SubscriptionView, TrackRequest, TrackResult,
};
pub use operation::{BilledCharge, CheckRequest, Operation, Outcome};
