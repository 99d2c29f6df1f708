use crate::store::StoreError;

/// Why a ledger operation did not happen. Nothing is half done: every operation is one
/// transaction.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("no customer `{0}`")]
    UnknownCustomer(String),
    #[error("the customer `{0}` already exists")]
    CustomerExists(String),
    #[error("no plan `{0}` in the live catalog")]
    UnknownPlan(String),
    #[error("the plan `{0}` is archived: new customers cannot attach it")]
    ArchivedPlan(String),
    #[error("no feature or credit system `{0}` in the live catalog")]
    UnknownFeature(String),
    #[error("`{0}` is a boolean feature: it has no usage or balance")]
    BooleanFeature(String),
    #[error("the customer `{customer}` is already on plan `{plan}`")]
    AlreadyAttached { customer: String, plan: String },
    #[error("the customer `{customer}` is not on plan `{plan}`")]
    NotSubscribed { customer: String, plan: String },
    #[error("invalid quantity for `{feature}` in plan `{plan}`: {reason}")]
    Quantity {
        plan: String,
        feature: String,
        reason: String,
    },
    #[error("plan `{plan}` needs a quantity for `{feature}`: buy {range}")]
    QuantityRequired {
        plan: String,
        feature: String,
        range: String,
    },
    #[error("`{customer}` has no entity `{entity}`")]
    UnknownEntity { customer: String, entity: String },
    #[error("`{customer}` already has an entity `{entity}`")]
    EntityExists { customer: String, entity: String },
    #[error(
        "`{feature}` is held per customer, not per entity: entity `{entity}` has no balance of its own for it"
    )]
    NotPerEntity { feature: String, entity: String },
    #[error("`{feature}` is held per entity of `{per}`: {reason}")]
    EntityRequired {
        feature: String,
        per: String,
        reason: String,
    },
    #[error(
        "entity `{entity}` is one of `{entity_feature}`, and `{feature}` is held per entity of `{per}`"
    )]
    WrongEntity {
        entity: String,
        entity_feature: String,
        feature: String,
        per: String,
    },
    #[error(
        "an entity is one unit of an allocated feature (seats, workspaces): `{feature}` {reason}"
    )]
    EntityFeature { feature: String, reason: String },
    #[error("invalid amount: {0}")]
    Amount(String),
    #[error(
        "`{customer}`'s ledger is at {clock}: an operation at {at} would come before it (events are applied in time order per customer)"
    )]
    Late {
        customer: String,
        at: String,
        clock: String,
    },
    #[error(
        "bringing `{customer}` up to {at} passes more than {rounds} period boundaries: pass a time closer to the customer's last activity"
    )]
    TooFar {
        customer: String,
        at: String,
        rounds: usize,
    },
    #[error("invalid customer id `{id}`: {reason}")]
    InvalidCustomerId { id: String, reason: String },
    #[error("invalid idempotency key `{key}`: {reason}")]
    InvalidIdempotencyKey { key: String, reason: String },
    #[error("invalid expiry: {0}")]
    Expiry(String),
    #[error(
        "`{customer}`'s plans have no auto top-up of `{feature}` to turn on or off (they have: {declared})"
    )]
    NoTopUp {
        customer: String,
        feature: String,
        /// The balances with a top-up, as `` `credits`, `messages` `` (empty: none).
        declared: String,
    },
    /// A usage or spend limit leaves no room for the usage: it is refused, not recorded.
    #[error("refused: {0}")]
    Limited(String),
    #[error("the idempotency key `{0}` was used before for a different request")]
    IdempotencyConflict(String),
    #[error("the local store has no catalog: apply pricing first")]
    NoCatalog,
    /// The transaction of a group of operations committed together
    /// ([`crate::ledger::Ledger::in_one_commit`]) was rolled back by `SQLite` itself (an I/O
    /// failure, a full disk): none of the group's operations was kept.
    #[error(
        "the local store rolled back its transaction (an I/O failure or a full disk): nothing was recorded; retry once the store is writable"
    )]
    RolledBack,
    /// The store could not be opened, read or written (it names the file).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A `SQLite` failure not yet named by its store: [`crate::ledger::Ledger::execute`] names
    /// it.
    #[error("the local store failed")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the ledger holds a value pricectl cannot read: {0}")]
    Corrupt(String),
}
