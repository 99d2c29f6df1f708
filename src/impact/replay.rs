//! One pricing's revenue from recorded usage: the usage replayed through the ledger's exact
//! rules, in a fresh in-memory store holding the pricing (as `pricectl test` runs scenarios).
//!
//! Every record is performed as the ledger's operation: a subscription is an `attach`, a
//! quantity change a `set_quantity`, a grant a `grant`, an entity created or deleted the
//! same, an auto top-up switched a `set_auto_top_up`, usage a `track`; renewals, bills,
//! expiries, top-ups and scheduled switches follow in the ledger from them and the time, as
//! they did when the usage was recorded.
//!
//! Memory is bounded by customers, not events: each customer's plain usage (for the customer
//! as a whole, not capped) is summed per feature until the ledger's next change for it
//! ([`Ledger::next_change`]: a renewal, a reset, a trial's end, a lot's expiry), and only then
//! tracked. Usage between two changes commutes in the ledger (draws from a balance add up,
//! whatever their order, and nothing is billed, reset or expired between them), so the sums
//! give the ledger's very charges; `tests` checks it against event-by-event replay.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::usage::{UsageError, UsageRecord};
use super::versions::PricedCatalog;
use crate::catalog::Catalog;
use crate::ledger::{
    AttachRequest, CreateEntityRequest, GrantRequest, Instant, Ledger, LedgerError, Overage,
    SetAutoTopUpRequest, SetQuantityRequest, TrackRequest,
};

/// What one customer paid under one pricing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerRevenue {
    /// The plan of its last subscription (`None`: it subscribed to none).
    pub plan: Option<String>,
    /// It stays on a version of its plan that the pricing changes (grandfathered): priced on
    /// that version.
    pub grandfathered: bool,
    /// The sum of its charges in the window, each line rounded as the ledger rounds it.
    pub total: Decimal,
    /// Money per item (a feature or credit system id), or `base price`.
    pub by_item: BTreeMap<String, Decimal>,
    /// The first thing the pricing could not price for it (a plan or feature it lacks).
    pub problem: Option<String>,
}

/// The revenue of one pricing from one usage stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revenue {
    pub customers: BTreeMap<String, CustomerRevenue>,
    pub events: u64,
    pub from: Option<Instant>,
    pub until: Option<Instant>,
}

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error("the pricing cannot be put in a ledger: {0}")]
    Pricing(String),
    #[error("{0}")]
    Ledger(String),
}

/// Whether a catalog has a control whose effect depends on the order of usage within a period:
/// an auto top-up, a spend limit or a usage limit (alerts charge nothing).
fn order_matters(catalog: &Catalog) -> bool {
    catalog.plans.values().any(|plan| {
        !plan.usage_limits.is_empty()
            || plan.items.values().any(|item| {
                item.controls.auto_top_up.is_some() || item.controls.spend_limit.is_some()
            })
    })
}

/// The time charges are counted over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Charges from this time on (default: the first record's time). Records before it are
    /// still replayed: they make the balances and periods the window starts with.
    pub since: Option<Instant>,
    /// Charges up to this time (default: the last record's time). Records after it are read,
    /// not replayed.
    pub until: Option<Instant>,
}

/// The charges `records` make under `priced` in `window`. When `coalesce` is false every
/// event is tracked on its own (what the tests compare against).
pub fn replay(
    priced: &PricedCatalog,
    records: impl Iterator<Item = Result<UsageRecord, UsageError>>,
    window: Window,
    coalesce: bool,
) -> Result<Revenue, ReplayError> {
    // Usage commutes between boundaries only without controls that depend on its order: an
    // auto top-up buys at the track that crosses its threshold, and a limit refuses the track
    // that would pass it. A catalog with any is replayed event by event.
    let coalesce = coalesce && !order_matters(&priced.catalog);
    let mut replay = Replay {
        ledgers: Vec::new(),
        priced,
        catalog: &priced.catalog,
        customers: BTreeMap::new(),
        coalesce,
    };
    let mut revenue = Revenue::default();
    for record in records {
        let record = record?;
        revenue.events += 1;
        revenue.from = Some(
            revenue
                .from
                .map_or(record.at(), |from| from.min(record.at())),
        );
        revenue.until = Some(
            revenue
                .until
                .map_or(record.at(), |last| last.max(record.at())),
        );
        if window.until.is_some_and(|until| record.at() > until) {
            continue;
        }
        replay.record(record)?;
    }
    let until = window.until.or(revenue.until);
    revenue.from = window.since.or(revenue.from);
    let ids: Vec<String> = replay.customers.keys().cloned().collect();
    for id in ids {
        replay.flush(&id);
    }
    let (Some(from), Some(until)) = (revenue.from, until) else {
        return Ok(revenue);
    };
    for (id, state) in replay.customers {
        let mut customer = CustomerRevenue {
            plan: state.plan,
            grandfathered: state.grandfathered,
            problem: state.problem,
            ..CustomerRevenue::default()
        };
        let charges = replay.ledgers[state.shard]
            .charges_between(&id, Instant(from.0 - 1), until)
            .map_err(|error| ReplayError::Ledger(format!("customer `{id}`: {error}")))?;
        for charge in charges {
            for line in charge.line_items {
                customer.total += line.amount;
                *customer
                    .by_item
                    .entry(item_of(&line.description, &priced.catalog))
                    .or_default() += line.amount;
            }
        }
        revenue.customers.insert(id, customer);
    }
    revenue.until = Some(until);
    Ok(revenue)
}

/// The item a charge line is for: `base price`, or the feature or credit system it names
/// first (`credits × 1000`, `messages: 120 units of usage beyond the balance`).
fn item_of(description: &str, catalog: &Catalog) -> String {
    if description.contains(": base price") {
        return "base price".into();
    }
    let end = description
        .find([':', ','])
        .into_iter()
        .chain(description.find(" × "))
        .min()
        .unwrap_or(description.len());
    let item = description[..end].trim();
    if catalog.features.contains_key(item) || catalog.credit_systems.contains_key(item) {
        item.to_string()
    } else {
        "other".into()
    }
}

/// Customers per ledger. Customers are independent of one another in the ledger, so they are
/// spread over several small stores: what the ledger reads per customer then stays small,
/// however many customers the usage has.
const CUSTOMERS_PER_LEDGER: usize = 256;

struct Replay<'a> {
    ledgers: Vec<Ledger>,
    priced: &'a PricedCatalog,
    catalog: &'a Catalog,
    customers: BTreeMap<String, CustomerState>,
    coalesce: bool,
}

struct CustomerState {
    /// The ledger (of `Replay::ledgers`) that holds the customer.
    shard: usize,
    plan: Option<String>,
    grandfathered: bool,
    /// The catalog's plan each of its plans is priced on (`pro` → `pro@v2`).
    priced_plans: BTreeMap<String, String>,
    /// Plain usage summed per feature since the last flush, and when the last of it happened.
    pending: BTreeMap<String, Decimal>,
    pending_at: Instant,
    /// The ledger's next change after the pending usage began: usage from then on flushes
    /// first.
    boundary: Option<Instant>,
    problem: Option<String>,
}

impl Default for CustomerState {
    fn default() -> Self {
        CustomerState {
            shard: 0,
            plan: None,
            grandfathered: false,
            priced_plans: BTreeMap::new(),
            pending: BTreeMap::new(),
            pending_at: Instant(i64::MIN),
            boundary: None,
            problem: None,
        }
    }
}

impl Replay<'_> {
    fn record(&mut self, record: UsageRecord) -> Result<(), ReplayError> {
        let id = record.customer().to_string();
        if !self.customers.contains_key(&id) {
            let shard = self.customers.len() / CUSTOMERS_PER_LEDGER;
            if shard == self.ledgers.len() {
                self.ledgers.push(
                    crate::scenario::fresh_ledger(self.catalog).map_err(ReplayError::Pricing)?,
                );
            }
            self.ledgers[shard]
                .ensure_customer(&id, record.at())
                .map_err(|error| ReplayError::Ledger(format!("customer `{id}`: {error}")))?;
            self.customers.insert(
                id.clone(),
                CustomerState {
                    shard,
                    ..CustomerState::default()
                },
            );
        }
        if let UsageRecord::Use {
            feature,
            value,
            entity: None,
            capped: false,
            at,
            ..
        } = record
        {
            self.plain_usage(&id, feature, value, at);
            return Ok(());
        }
        // Anything else changes what later usage draws from or how it is billed: the usage
        // before it is tracked first.
        self.flush(&id);
        let shard = self.state(&id).shard;
        let ledger = &mut self.ledgers[shard];
        let result = match record {
            UsageRecord::Subscribe {
                plan,
                version,
                prepaid,
                at,
                ..
            } => {
                let (priced_plan, kept) = self.priced.route(&plan, version);
                let priced_plan = priced_plan.to_string();
                let request = AttachRequest {
                    customer_id: id.clone(),
                    plan_id: priced_plan.clone(),
                    quantities: prepaid,
                    idempotency_key: None,
                };
                let result = ledger.attach(&request, at);
                let state = self.state(&id);
                state.plan = Some(plan.clone());
                state.grandfathered |= kept;
                state.priced_plans.insert(plan, priced_plan);
                match result {
                    // A default plan the customer was put on when it was created: already so.
                    Ok(_) | Err(LedgerError::AlreadyAttached { .. }) => Ok(()),
                    Err(error) => Err(error),
                }
            }
            UsageRecord::SetQuantity {
                plan,
                quantities,
                at,
                ..
            } => {
                let plan_id = match self
                    .customers
                    .get(&id)
                    .and_then(|state| state.priced_plans.get(&plan))
                {
                    Some(priced) => priced.clone(),
                    None => self.priced.route(&plan, None).0.to_string(),
                };
                let request = SetQuantityRequest {
                    customer_id: id.clone(),
                    plan_id,
                    quantities,
                    idempotency_key: None,
                };
                self.ledgers[shard].set_quantity(&request, at).map(|_| ())
            }
            UsageRecord::Grant {
                feature,
                amount,
                expires,
                at,
                ..
            } => {
                let request = GrantRequest {
                    customer_id: id.clone(),
                    feature_id: feature,
                    amount,
                    expires_at: expires.map(|expires| expires.0),
                    reason: "replayed".into(),
                };
                ledger.grant(&request, at).map(|_| ())
            }
            UsageRecord::CreateEntity {
                entity,
                feature,
                at,
                ..
            } => {
                let request = CreateEntityRequest {
                    customer_id: id.clone(),
                    entity_id: entity,
                    feature_id: feature,
                    name: None,
                };
                ledger.create_entity(&request, at).map(|_| ())
            }
            UsageRecord::AutoTopUp { switches, at, .. } => {
                let request = SetAutoTopUpRequest {
                    customer_id: id.clone(),
                    switches,
                };
                match ledger.set_auto_top_up(&request, at) {
                    // The pricing replayed declares no top-up of that balance (the new one
                    // removed it): there is nothing for the customer to switch.
                    Ok(_) | Err(LedgerError::NoTopUp { .. }) => Ok(()),
                    Err(error) => Err(error),
                }
            }
            UsageRecord::DeleteEntity { entity, at, .. } => {
                ledger.delete_entity(&id, &entity, at).map(|_| ())
            }
            // Usage for an entity, or capped at the balance, depends on the balance at its
            // moment: tracked on its own.
            UsageRecord::Use {
                feature,
                value,
                entity,
                capped,
                at,
                ..
            } => {
                let request = TrackRequest {
                    customer_id: id.clone(),
                    feature_id: feature,
                    value,
                    idempotency_key: None,
                    overage: if capped {
                        Overage::Cap
                    } else {
                        Overage::Overflow
                    },
                    entity_id: entity,
                };
                ledger.track(&request, at).map(|_| ())
            }
        };
        if let Err(error) = result {
            self.state(&id).problem.get_or_insert(error.to_string());
        }
        Ok(())
    }

    /// Usage of the customer as a whole, without a cap: summed until the ledger's next change.
    /// (The hot path: the customer is looked up without allocating its id.)
    fn plain_usage(&mut self, id: &str, feature: String, value: Decimal, at: Instant) {
        let flush_first = self.customers.get(id).is_some_and(|state| {
            !state.pending.is_empty()
                && (state.boundary.is_some_and(|boundary| at >= boundary) || at < state.pending_at)
        });
        if flush_first {
            self.flush(id);
        }
        let Some(state) = self.customers.get_mut(id) else {
            return;
        };
        if self.coalesce && state.pending.is_empty() {
            state.boundary = match self.ledgers[state.shard].next_change(id, at) {
                Ok(boundary) => boundary,
                Err(error) => {
                    // What went wrong shows again when the usage is tracked; meanwhile each
                    // event is tracked on its own.
                    state.problem.get_or_insert(error.to_string());
                    Some(at)
                }
            };
        }
        *state.pending.entry(feature).or_default() += value;
        state.pending_at = state.pending_at.max(at);
        if !self.coalesce {
            self.flush(id);
        }
    }

    fn state(&mut self, id: &str) -> &mut CustomerState {
        self.customers.entry(id.to_string()).or_default()
    }

    /// Tracks a customer's summed usage.
    fn flush(&mut self, id: &str) {
        let Some(state) = self.customers.get_mut(id) else {
            return;
        };
        let shard = state.shard;
        let pending = std::mem::take(&mut state.pending);
        let at = state.pending_at;
        state.pending_at = Instant(i64::MIN);
        for (feature, value) in pending {
            if value.is_zero() {
                continue;
            }
            let request = TrackRequest {
                customer_id: id.to_string(),
                feature_id: feature,
                value,
                idempotency_key: None,
                overage: Overage::Overflow,
                entity_id: None,
            };
            if let Err(error) = self.ledgers[shard].track(&request, at)
                && let Some(state) = self.customers.get_mut(id)
            {
                state.problem.get_or_insert(error.to_string());
            }
        }
    }
}
