use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use rust_decimal::Decimal;

use super::attach::attach_within;
use super::quantity::set_quantity_within;
use super::write_transaction::WriteTransaction;

use super::catalog::LedgerCatalog;
use super::charge::Charge;
use super::clock::Instant;
use super::controls::{Controls, record_alerts, refused_by_limits, top_up_if_due};
use super::customer_controls::{auto_top_up_views, top_up_in_force};
use super::entities::{Allocation, drawer_for, entity_summaries};
use super::entitlement::{ActivePlan, Resolved, resolve};
use super::error::LedgerError;
use super::exact;
use super::identifiers::{check_customer_id, check_idempotency_key, unknown_customer};
use super::journal::{self, Performed};
use super::lots::{NewLot, Source, add_lot, allocate, balance, decimal, draw, text};
use super::model::{
    AttachRequest, AttachResult, BalanceView, ChargeRecord, ChargeView, CheckResult, CustomerView,
    EntityBalance, GrantRequest, GrantResult, HistoryEntry, LotView, Overage, QuantityResult,
    SetQuantityRequest, SubscriptionView, TrackRequest, TrackResult,
};
use super::operation::{BilledCharge, Operation, Outcome};
use super::renewal::{Versions, customer_and_due, materialize, materialize_if_due};
use crate::catalog::Catalog;
use crate::store::{Access, Store};

/// The credit ledger over a store. See the module documentation.
pub struct Ledger {
    store: Store,
    /// Read again when an apply moves the store's catalog revision (see [`LedgerCatalog`]).
    catalog: LedgerCatalog,
    /// Operations run inside [`Ledger::in_one_commit`]'s transaction.
    grouped: bool,
    /// Whether a track carries the balance after it ([`TrackResult::balance_after`]): a
    /// server answers with it; the CLI, scenarios and replays never read it, and on the hot
    /// path it is a balance read per track.
    answers_with_balance: bool,
}

impl Ledger {
    /// Opens the ledger of the store at `path` for operations that write (the store must
    /// exist: without an apply there is no catalog to run on).
    ///
    /// Ledger writes use `synchronous = NORMAL` in WAL mode: a committed event survives the
    /// process being killed at any point; a power loss can lose the last events committed
    /// since the WAL was last synced, never corrupt the store (docs/ledger.md).
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        Ledger::open_with(path, Access::Write)
    }

    /// Opens the ledger of the store at `path` for `access`: [`Access::Read`] for commands
    /// that only read (nothing is created or migrated, a read-only store can be read, and
    /// operations that write are refused).
    pub fn open_with(path: &Path, access: Access) -> Result<Ledger, LedgerError> {
        let store = Store::open(path, access)?;
        store
            .connection()
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|source| store.failed(source))?;
        Ledger::over(store)
    }

    /// The ledger of a store already open (an in-memory store for scenarios).
    pub fn over(store: Store) -> Result<Ledger, LedgerError> {
        let catalog = LedgerCatalog::load(&store)?;
        Ok(Ledger {
            store,
            catalog,
            grouped: false,
            answers_with_balance: false,
        })
    }

    /// Makes every track carry the balance after it, read in its own transaction
    /// ([`TrackResult::balance_after`]), for a caller that answers with it (`pricectl serve`).
    #[must_use]
    pub fn answering_with_balance(mut self) -> Ledger {
        self.answers_with_balance = true;
        self
    }

    /// Leaves the log's checkpoints to a [`Checkpointer`](crate::store::Checkpointer) running
    /// beside the ledger ([`Store::defer_checkpoints`]): a long-lived writer's commits then
    /// never wait for a checkpoint's syncs.
    pub fn defer_checkpoints(self) -> Result<Ledger, LedgerError> {
        self.store.defer_checkpoints()?;
        Ok(self)
    }

    /// The store the ledger runs on (an in-memory one's, to read what it recorded).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// The live catalog the ledger runs on, as of its last operation.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog.catalog
    }

    /// A version of a plan, as customers pinned to it have it (`None`: no such version).
    pub fn plan_version(&self, plan_id: &str, version: u32) -> Option<&crate::catalog::Plan> {
        self.catalog.versions.get(&(plan_id.to_string(), version))
    }

    /// The start of an operation that writes (see [`begin_write`]).
    pub(super) fn begin_write_transaction(
        &mut self,
    ) -> Result<(WriteTransaction<'_>, &LedgerCatalog), LedgerError> {
        begin_write(&self.store, &mut self.catalog)
    }

    /// The store's connection and the catalog, for an operation that only reads.
    pub(super) fn read_parts(&self) -> (&Connection, &LedgerCatalog) {
        (self.store.connection(), &self.catalog)
    }

    /// Creates a customer, on the default plan of each group (Autumn's `auto_enable`).
    pub fn create_customer(
        &mut self,
        id: &str,
        name: Option<&str>,
        email: Option<&str>,
        at: Instant,
    ) -> Result<CustomerView, LedgerError> {
        if !self.insert_customer(id, name, email, at)? {
            return Err(LedgerError::CustomerExists(id.to_string()));
        }
        self.customer(id, at)
    }

    /// Creates the customer unless it exists (what scenarios and Autumn's `get_or_create` do).
    pub fn ensure_customer(&mut self, id: &str, at: Instant) -> Result<(), LedgerError> {
        self.insert_customer(id, None, None, at).map(|_| ())
    }

    /// Inserts a customer with its default plans, in one transaction; false when it exists.
    fn insert_customer(
        &mut self,
        id: &str,
        name: Option<&str>,
        email: Option<&str>,
        at: Instant,
    ) -> Result<bool, LedgerError> {
        check_customer_id(id)?;
        let (transaction, context) = begin_write(&self.store, &mut self.catalog)?;
        let inserted = transaction.execute(
            "INSERT INTO customers (id, name, email, created_at, clock_at) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (id) DO NOTHING",
            params![id, name, email, at.0],
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        for plan in context
            .catalog
            .plans
            .values()
            .filter(|plan| plan.default && !plan.archived)
        {
            let request = AttachRequest {
                customer_id: id.to_string(),
                plan_id: plan.id.clone(),
                quantities: BTreeMap::new(),
                idempotency_key: None,
            };
            attach_within(&transaction, context, &request, at)?;
        }
        transaction.commit()?;
        Ok(true)
    }

    /// A customer with subscriptions and balances at `at`.
    pub fn customer(&mut self, id: &str, at: Instant) -> Result<CustomerView, LedgerError> {
        self.bring_up_to_date(id, at)?;
        let connection = self.store.connection();
        let row: Option<(Option<String>, Option<String>, i64)> = connection
            .query_row(
                "SELECT name, email, created_at FROM customers WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        let (name, email, created_at) = row.ok_or_else(|| unknown_customer(id))?;
        let mut statement = connection.prepare(
            "SELECT id, plan_id, version, started_at, ended_at, quantities FROM subscriptions WHERE customer_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, u32>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?;
        let mut subscriptions = Vec::new();
        for row in rows {
            let (subscription_id, plan_id, version, started_at, ended_at, quantities) = row?;
            subscriptions.push(SubscriptionView {
                id: subscription_id,
                plan_id,
                version,
                started_at: Instant(started_at).to_string(),
                ended_at: ended_at.map(|ended| Instant(ended).to_string()),
                quantities: serde_json::from_str(&quantities)
                    .map_err(|error| LedgerError::Corrupt(error.to_string()))?,
            });
        }
        drop(statement);
        let balances = self.balances(id, at)?;
        let charges = charge_views(self.store.connection(), id)?;
        let entities = entity_summaries(self.store.connection(), id)?;
        let active = active_plans(self.store.connection(), &self.catalog.versions, id)?;
        let auto_top_ups = auto_top_up_views(self.store.connection(), &active, id)?;
        Ok(CustomerView {
            id: id.to_string(),
            name,
            email,
            created_at: Instant(created_at).to_string(),
            subscriptions,
            balances,
            charges,
            entities,
            auto_top_ups,
        })
    }

    /// Subscribes a customer to a plan's current version, or buys an add-on, charging for it.
    pub fn attach(
        &mut self,
        request: &AttachRequest,
        at: Instant,
    ) -> Result<AttachResult, LedgerError> {
        self.idempotent_write(
            &request.customer_id,
            request.idempotency_key.as_deref(),
            ("attach", request),
            at,
            |transaction, context| {
                let mut result = attach_within(transaction, context, request, at)?;
                // What the attach leaves, stored with the answer: a replay prints it as it was
                // (the attach moved the customer's clock to `at`).
                result.balances =
                    balances_within(transaction, context, Some(at.0), &request.customer_id, at)?;
                Ok(result)
            },
        )
    }

    /// Changes the prepaid quantity of items of a plan the customer is on, mid-term: the units
    /// move and the change is charged or credited as each item's proration policy says.
    pub fn set_quantity(
        &mut self,
        request: &SetQuantityRequest,
        at: Instant,
    ) -> Result<QuantityResult, LedgerError> {
        self.idempotent_write(
            &request.customer_id,
            request.idempotency_key.as_deref(),
            ("set_quantity", request),
            at,
            |transaction, context| {
                let mut result = set_quantity_within(transaction, context, request, at)?;
                result.balances =
                    balances_within(transaction, context, Some(at.0), &request.customer_id, at)?;
                Ok(result)
            },
        )
    }

    /// One write of a customer's ledger that an idempotency key applies once (`attach`,
    /// `set_quantity`): a repeat answers the first answer, marked as a replay; otherwise the
    /// clock moves to `at`, what is due happens, then `work`, and its answer is kept with the
    /// key, all in one transaction.
    fn idempotent_write<Request: serde::Serialize, Answer: Replayable>(
        &mut self,
        customer_id: &str,
        key: Option<&str>,
        (operation, request): (&str, &Request),
        at: Instant,
        work: impl FnOnce(&Connection, &LedgerCatalog) -> Result<Answer, LedgerError>,
    ) -> Result<Answer, LedgerError> {
        let (transaction, context) = begin_write(&self.store, &mut self.catalog)?;
        if let Some(previous) = catch_up_customer(&transaction, context, customer_id, at, || {
            idempotent_response::<_, Answer>(&transaction, key, operation, request)
        })? {
            return Ok(previous.replayed());
        }
        let answer = work(&transaction, context)?;
        remember(&transaction, customer_id, key, operation, request, &answer)?;
        transaction.commit()?;
        Ok(answer)
    }

    /// Records usage of a metered feature; under a credit system, deducts `value × cost` credits.
    /// Usage is never dropped: beyond the balance it goes negative, unless the request caps it
    /// ([`Overage::Cap`]).
    pub fn track(
        &mut self,
        request: &TrackRequest,
        at: Instant,
    ) -> Result<TrackResult, LedgerError> {
        let customer_id = request.customer_id.as_str();
        let answers_with_balance = self.answers_with_balance;
        self.store.require_writable()?;
        let transaction = WriteTransaction::begin(self.store.connection())?;
        // One query reads the customer's clock, whether a period ended, and whether an
        // apply moved the catalog: `track` is the hot path.
        let probe = customer_and_due(&transaction, customer_id, at.0)?;
        let LedgerCatalog {
            catalog,
            versions,
            currency,
            ..
        } = self
            .catalog
            .refresh_to(&self.store, probe.catalog_revision)?;
        let allocated = catalog
            .features
            .get(&request.feature_id)
            .is_some_and(|feature| {
                feature.kind == crate::catalog::FeatureType::Metered && !feature.consumable
            });
        check_usage_value(&request.feature_id, request.value, allocated)?;
        if probe.clock.is_none() {
            return Err(unknown_customer(customer_id));
        }
        if let Some(previous) = idempotent_response::<_, TrackResult>(
            &transaction,
            request.idempotency_key.as_deref(),
            "track",
            request,
        )? {
            return Ok(previous.replayed());
        }
        // The usage entry written below, dated `at`, moves the clock (see `customer_clock_sql`):
        // no write of the customer's row.
        refuse_late(customer_id, probe.clock, at)?;
        if probe.due {
            materialize(&transaction, versions, currency, customer_id, at.0)?;
        }
        let active = active_plans(&transaction, versions, customer_id)?;
        let resolution = match resolve(catalog, &active, &request.feature_id)? {
            Resolved::Metered(resolution) => resolution,
            Resolved::Boolean { .. } => {
                return Err(LedgerError::BooleanFeature(request.feature_id.clone()));
            }
        };
        // Read from the plan versions already in memory: no query for a customer without any.
        let controls = Controls::of(&active, &request.feature_id, &resolution.balance_key);
        let drawer = drawer_for(
            &transaction,
            customer_id,
            &request.feature_id,
            &resolution,
            request.entity_id.as_deref(),
            Some(if allocated {
                Allocation::Allocated
            } else {
                Allocation::Consumed
            }),
        )?;
        let amount = exact::mul(request.value, resolution.rate)?;
        let capped = request.overage == Overage::Cap
            && amount > Decimal::ZERO
            && !resolution.overage_allowed
            && !(allocated && resolution.granted_free);
        // The lots in force, read once: the cap, the draw and the balance after use them.
        let (held, lots) = balance(
            &transaction,
            customer_id,
            &resolution.balance_key,
            drawer.entity.as_deref(),
            at.0,
        )?;
        let deducted = if resolution.unlimited {
            Decimal::ZERO
        } else if capped {
            // Only what the balance holds; the event itself is recorded in full (`units`).
            amount.min(held.max(Decimal::ZERO))
        } else {
            amount
        };
        if !controls.usage_limits.is_empty() && request.value > Decimal::ZERO {
            controls.within_usage_limits(&transaction, customer_id, request.value, deducted, at)?;
        }
        // The balance after: what the draw leaves, or (unlimited) what the lots hold; and what
        // each holder gave (the customer or the entity named, or, for a customer's usage of a
        // balance held per entity, each entity it was drawn from).
        let holder = drawer.entity.clone();
        let (remaining, taken) = if allocated && !deducted.is_zero() {
            let after = allocate(
                &transaction,
                customer_id,
                &resolution.balance_key,
                drawer.entity.as_deref(),
                deducted,
                at.0,
            )?;
            (after, vec![(holder, deducted)])
        } else if deducted.is_zero() {
            (held, vec![(holder, deducted)])
        } else {
            let drawn = draw(
                &transaction,
                customer_id,
                &resolution.balance_key,
                &drawer,
                &lots,
                deducted,
                at.0,
            )?;
            (drawn.after, drawn.taken)
        };
        let mut top_up = None;
        let mut remaining = remaining;
        if !controls.is_empty() && !allocated && deducted > Decimal::ZERO {
            // Past a spend limit the usage is refused: dropping the transaction undoes the draw.
            controls.within_spend_limits(
                &transaction,
                customer_id,
                &resolution.balance_key,
                Decimal::ZERO,
            )?;
            // Alerts and the auto top-up watch the customer's balance, every holder's together:
            // billing controls are the customer's (Autumn's `billing_controls`), and what a
            // top-up buys is the customer's, usable by each of its entities.
            let customer_after = match drawer.entity {
                Some(_) => {
                    balance(
                        &transaction,
                        customer_id,
                        &resolution.balance_key,
                        None,
                        at.0,
                    )?
                    .0
                }
                None => remaining,
            };
            let before = exact::add(customer_after, deducted)?;
            record_alerts(
                &transaction,
                customer_id,
                &resolution.balance_key,
                &controls.alerts,
                before,
                customer_after,
                at,
            )?;
            if let Some(due) = top_up_in_force(
                &transaction,
                customer_id,
                &resolution.balance_key,
                controls.top_up,
            )? {
                // Tracks are serialized by the write lock: the one that leaves the balance below
                // the threshold buys, and the purchase lifts it above for the next.
                if let Some(bought) = top_up_if_due(
                    &transaction,
                    currency,
                    customer_id,
                    &resolution.balance_key,
                    due,
                    customer_after,
                    at,
                )? {
                    remaining = exact::add(remaining, bought.quantity)?;
                    top_up = Some(bought.charge);
                }
            }
        }
        // One entry per holder drawn from, so each entity's balance is the sum of its entries;
        // the units used are on the first, so the entries' units add up to the usage (usage
        // limits and the revenue impact count them).
        let split = taken.len() > 1;
        // A track for an entity, or one the balance capped, is journaled: its entries say
        // neither what it asked for nor whom.
        let journaled = (request.entity_id.is_some()
            || (capped && !resolution.unlimited && deducted < amount))
            .then(|| journal::last_entry(&transaction))
            .transpose()?;
        for (index, (holder, amount)) in taken.iter().enumerate() {
            entry(
                &transaction,
                &NewEntry {
                    customer_id,
                    at: at.0,
                    kind: "usage",
                    balance_key: &resolution.balance_key,
                    amount: -*amount,
                    feature_id: Some(&request.feature_id),
                    units: (index == 0).then_some(request.value),
                    reason: split.then_some("part of usage drawn from several entities"),
                    subscription_id: None,
                    idempotency_key: request.idempotency_key.as_deref(),
                    entity_id: holder.as_deref(),
                },
            )?;
        }
        if let Some(entries_before) = journaled {
            journal::record(
                &transaction,
                &Performed {
                    customer_id,
                    at: at.0,
                    entries_before,
                    operation: Operation::Track(TrackRequest {
                        idempotency_key: None,
                        ..request.clone()
                    }),
                    version: None,
                },
            )?;
        }
        // A server answers the track with this (no second read); an entity's answer lists the
        // balances the entity may use, read by the server.
        let balance_after = if answers_with_balance && drawer.entity.is_none() {
            listed_balance(&transaction, &active, customer_id, &resolution, at)?
        } else {
            None
        };
        let result = TrackResult {
            customer_id: customer_id.to_string(),
            feature_id: request.feature_id.clone(),
            value: request.value,
            balance_key: resolution.balance_key,
            deducted,
            balance: remaining,
            unlimited: resolution.unlimited,
            top_up,
            replayed: false,
            entity_id: drawer.entity.clone(),
            balance_after,
        };
        remember(
            &transaction,
            customer_id,
            request.idempotency_key.as_deref(),
            "track",
            request,
            &result,
        )?;
        transaction.commit()?;
        Ok(result)
    }

    /// Whether the customer may use `required` units of a feature (default 1), and the balance
    /// that was decided on. A boolean feature is allowed when a plan grants it.
    /// A balance held per entity is the sum over the customer's entities.
    pub fn check(
        &mut self,
        customer_id: &str,
        feature_id: &str,
        required: Option<Decimal>,
        at: Instant,
    ) -> Result<CheckResult, LedgerError> {
        self.check_for(
            &super::operation::CheckRequest {
                customer_id: customer_id.to_string(),
                feature_id: feature_id.to_string(),
                required,
                entity_id: None,
            },
            at,
        )
    }

    /// [`Ledger::check`] for the request's entity, if it names one: the balance is then what
    /// that entity may use (its own lots and the customer's); without one, a balance held per
    /// entity is the sum over the customer's entities (Autumn's `getTotalBalance.lua`).
    pub fn check_for(
        &mut self,
        request: &super::operation::CheckRequest,
        at: Instant,
    ) -> Result<CheckResult, LedgerError> {
        let customer_id = request.customer_id.as_str();
        let feature_id = request.feature_id.as_str();
        let entity = request.entity_id.as_deref();
        let Some(clock) = self.bring_up_to_date(customer_id, at)? else {
            return Err(unknown_customer(customer_id));
        };
        let connection = self.store.connection();
        let LedgerCatalog {
            catalog, versions, ..
        } = &self.catalog;
        let active = active_plans(connection, versions, customer_id)?;
        let required_units = request.required.unwrap_or(Decimal::ONE);
        match resolve(catalog, &active, feature_id)? {
            Resolved::Boolean { granted_by } => {
                if let Some(entity) = entity {
                    // A boolean feature is never held per entity.
                    drawer_for(
                        connection,
                        customer_id,
                        feature_id,
                        &super::entitlement::Resolution {
                            balance_key: feature_id.to_string(),
                            rate: Decimal::ONE,
                            unlimited: false,
                            overage_allowed: false,
                            per_entity: None,
                            granted_free: false,
                        },
                        Some(entity),
                        None,
                    )?;
                }
                Ok(CheckResult {
                    customer_id: customer_id.to_string(),
                    feature_id: feature_id.to_string(),
                    entity_id: None,
                    allowed: granted_by.is_some(),
                    balance: None,
                    required: None,
                    granted_by,
                    refused_by: None,
                })
            }
            Resolved::Metered(resolution) => {
                let drawer = drawer_for(
                    connection,
                    customer_id,
                    feature_id,
                    &resolution,
                    entity,
                    None,
                )?;
                let needed = exact::mul(required_units, resolution.rate)?;
                let view = balance_view(
                    connection,
                    Some(clock),
                    customer_id,
                    &resolution.balance_key,
                    drawer.entity.as_deref(),
                    (resolution.unlimited, resolution.overage_allowed),
                    at.0,
                )?;
                let mut allowed = resolution.unlimited
                    || resolution.overage_allowed
                    || (view.balance >= needed && view.balance > Decimal::ZERO);
                let controls = Controls::of(&active, feature_id, &resolution.balance_key);
                let refused_by = if allowed && !controls.is_empty() {
                    refused_by_limits(
                        connection,
                        &controls,
                        customer_id,
                        &resolution.balance_key,
                        required_units,
                        if resolution.unlimited {
                            Decimal::ZERO
                        } else {
                            needed
                        },
                        view.balance,
                        at,
                    )?
                } else {
                    None
                };
                allowed &= refused_by.is_none();
                Ok(CheckResult {
                    customer_id: customer_id.to_string(),
                    feature_id: feature_id.to_string(),
                    entity_id: drawer.entity,
                    allowed,
                    balance: Some(view),
                    required: Some(needed),
                    granted_by: None,
                    refused_by,
                })
            }
        }
    }

    /// Gifts units of a feature or credits of a credit system, with a reason.
    pub fn grant(
        &mut self,
        request: &GrantRequest,
        at: Instant,
    ) -> Result<GrantResult, LedgerError> {
        if request.amount <= Decimal::ZERO {
            return Err(LedgerError::Amount(format!(
                "a grant must be positive ({})",
                request.amount
            )));
        }
        if request.reason.trim().is_empty() {
            return Err(LedgerError::Amount("a grant needs a reason".into()));
        }
        if let Some(expires_at) = request.expires_at
            && expires_at <= at.0
        {
            return Err(LedgerError::Expiry(format!(
                "the grant would expire at {}, not after the time it is made ({at}): it could never be used",
                Instant(expires_at)
            )));
        }
        let customer_id = request.customer_id.as_str();
        let (transaction, context) = begin_write(&self.store, &mut self.catalog)?;
        catch_up_customer(&transaction, context, customer_id, at, nothing_first)?;
        let LedgerCatalog {
            catalog, versions, ..
        } = context;
        let resolution = metered(
            &transaction,
            catalog,
            versions,
            customer_id,
            &request.feature_id,
        )?;
        let amount = exact::mul(request.amount, resolution.rate)?;
        let entries_before = journal::last_entry(&transaction)?;
        add_lot(
            &transaction,
            &NewLot {
                customer_id,
                balance_key: &resolution.balance_key,
                entity_id: None,
                source: Source::Gifted,
                amount,
                starts_at: at.0,
                expires_at: request.expires_at,
                subscription_id: None,
                reason: Some(&request.reason),
            },
        )?;
        entry(
            &transaction,
            &NewEntry {
                customer_id,
                at: at.0,
                kind: "gift",
                balance_key: &resolution.balance_key,
                amount,
                feature_id: Some(&request.feature_id),
                units: Some(request.amount),
                reason: Some(&request.reason),
                subscription_id: None,
                idempotency_key: None,
                entity_id: None,
            },
        )?;
        journal::record(
            &transaction,
            &Performed {
                customer_id,
                at: at.0,
                entries_before,
                operation: Operation::Grant(request.clone()),
                version: None,
            },
        )?;
        let (remaining, _) = balance(
            &transaction,
            customer_id,
            &resolution.balance_key,
            None,
            at.0,
        )?;
        transaction.commit()?;
        Ok(GrantResult {
            customer_id: customer_id.to_string(),
            balance_key: resolution.balance_key,
            amount,
            balance: remaining,
        })
    }

    /// Every balance of a customer at `at`: what its lots hold and what its plans make
    /// unlimited.
    pub fn balances(
        &mut self,
        customer_id: &str,
        at: Instant,
    ) -> Result<Vec<BalanceView>, LedgerError> {
        let clock = self.bring_up_to_date(customer_id, at)?;
        balances_within(
            self.store.connection(),
            &self.catalog,
            clock,
            customer_id,
            at,
        )
    }

    /// Every ledger entry of a customer, oldest first.
    pub fn history(&mut self, customer_id: &str) -> Result<Vec<HistoryEntry>, LedgerError> {
        let connection = self.store.connection();
        let exists: Option<i64> = connection
            .query_row(
                "SELECT 1 FROM customers WHERE id = ?1",
                [customer_id],
                |row| row.get(0),
            )
            .optional()?;
        if exists.is_none() {
            return Err(unknown_customer(customer_id));
        }
        let mut statement = connection.prepare(
            "SELECT id, at, kind, balance_key, amount, feature_id, units, reason, entity_id FROM entries WHERE customer_id = ?1 ORDER BY at, id",
        )?;
        let rows = statement.query_map([customer_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (id, at, kind, balance_key, amount, feature_id, units, reason, entity_id) = row?;
            entries.push(HistoryEntry {
                id,
                at: Instant(at).to_string(),
                kind,
                balance_key,
                amount: decimal(&amount)?,
                feature_id,
                units,
                reason,
                entity_id,
            });
        }
        Ok(entries)
    }

    /// The charges of a customer, oldest first.
    pub fn charges(&mut self, customer_id: &str) -> Result<Vec<ChargeRecord>, LedgerError> {
        Ok(charge_views(self.store.connection(), customer_id)?
            .into_iter()
            .map(|view| view.charge)
            .collect())
    }

    /// The charges of a customer made after `after` and up to `until`, oldest first, with its
    /// periods brought up to `until` first (what moving the clock from `after` to `until`
    /// bills: renewals, a trial's end, usage beyond the balance).
    pub fn charges_between(
        &mut self,
        customer_id: &str,
        after: Instant,
        until: Instant,
    ) -> Result<Vec<ChargeRecord>, LedgerError> {
        require_customer(self.store.connection(), customer_id)?;
        self.bring_up_to_date(customer_id, until)?;
        Ok(charge_rows(self.store.connection(), Some(customer_id), 0)?
            .into_iter()
            .filter(|row| after.0 < row.at && row.at <= until.0)
            .map(|row| row.charge)
            .collect())
    }

    /// Performs one operation: the one place where CLI commands, scenario steps and requests
    /// reach the ledger. A store failure names the store's file.
    pub fn execute(&mut self, operation: &Operation, at: Instant) -> Result<Outcome, LedgerError> {
        if self.grouped && self.store.connection().is_autocommit() {
            // The group's transaction is gone (see `in_one_commit`): performed now, the
            // operation would commit on its own while the group reports failure.
            return Err(LedgerError::RolledBack);
        }
        let outcome = self.perform(operation, at);
        outcome.map_err(|error| match error {
            LedgerError::Sqlite(source) => LedgerError::Store(self.store.failed(source)),
            other => other,
        })
    }

    fn perform(&mut self, operation: &Operation, at: Instant) -> Result<Outcome, LedgerError> {
        Ok(match operation {
            Operation::CreateCustomer {
                customer_id,
                name,
                email,
            } => Outcome::Customer(self.create_customer(
                customer_id,
                name.as_deref(),
                email.as_deref(),
                at,
            )?),
            Operation::GetOrCreateCustomer {
                customer_id,
                name,
                email,
            } => {
                self.insert_customer(customer_id, name.as_deref(), email.as_deref(), at)?;
                Outcome::Customer(self.customer(customer_id, at)?)
            }
            Operation::GetCustomer { customer_id } => {
                Outcome::Customer(self.customer(customer_id, at)?)
            }
            Operation::Attach(request) => Outcome::Attached(self.attach(request, at)?),
            Operation::SetQuantity(request) => {
                Outcome::QuantitySet(self.set_quantity(request, at)?)
            }
            Operation::Track(request) => Outcome::Tracked(self.track(request, at)?),
            Operation::SetAutoTopUp(request) => {
                Outcome::AutoTopUpSet(self.set_auto_top_up(request, at)?)
            }
            Operation::Check(request) => Outcome::Checked(self.check_for(request, at)?),
            Operation::Grant(request) => Outcome::Granted(self.grant(request, at)?),
            Operation::CreateEntity(request) => Outcome::Entity(self.create_entity(request, at)?),
            Operation::GetEntity {
                customer_id,
                entity_id,
            } => Outcome::Entity(self.entity(customer_id, entity_id, at)?),
            Operation::DeleteEntity {
                customer_id,
                entity_id,
            } => Outcome::Entity(self.delete_entity(customer_id, entity_id, at)?),
            Operation::Balance { customer_id } => {
                Outcome::Balances(self.balances(customer_id, at)?)
            }
            Operation::History { customer_id } => Outcome::History(self.history(customer_id)?),
            Operation::Advance { customer_id } => {
                Outcome::Advanced(self.advance(customer_id.as_deref(), at)?)
            }
        })
    }

    /// Runs `work` (any number of operations, through [`Ledger::execute`]) in one write
    /// transaction committed once at the end: a group commit. Each operation is a savepoint of
    /// it, so one that fails undoes its own writes alone and gets its own error while the
    /// others stand, exactly as if each had been its own transaction. None of them is durable
    /// (nor seen by another connection) before the commit, which writes the log once for all:
    /// what `work` answers may be given out only once this returns `Ok`. `Err`: nothing of the
    /// group was kept.
    pub fn in_one_commit<T>(
        &mut self,
        work: impl FnOnce(&mut Ledger) -> T,
    ) -> Result<T, LedgerError> {
        self.begin_group()?;
        let answer = work(self);
        self.commit_group()?;
        Ok(answer)
    }

    /// Opens the transaction of a group commit, for an owner that keeps the ledger inside
    /// another value and so cannot hand it to [`Ledger::in_one_commit`]'s closure; every
    /// `begin_group` is followed by [`Ledger::commit_group`], with nothing but operations
    /// between.
    pub fn begin_group(&mut self) -> Result<(), LedgerError> {
        self.store.require_writable()?;
        self.store
            .connection()
            .prepare_cached("BEGIN IMMEDIATE")
            .and_then(|mut statement| statement.execute([]))
            .map_err(|source| LedgerError::Store(self.store.failed(source)))?;
        self.grouped = true;
        Ok(())
    }

    /// Commits the group [`Ledger::begin_group`] opened. `Err`: nothing of the group was kept.
    pub fn commit_group(&mut self) -> Result<(), LedgerError> {
        self.grouped = false;
        let connection = self.store.connection();
        if connection.is_autocommit() {
            // SQLite rolls a whole transaction back on some failures (I/O, a full disk).
            return Err(LedgerError::RolledBack);
        }
        let committed = connection
            .prepare_cached("COMMIT")
            .and_then(|mut statement| statement.execute([]));
        if let Err(source) = committed {
            if !connection.is_autocommit() {
                let _ = connection
                    .prepare_cached("ROLLBACK")
                    .and_then(|mut statement| statement.execute([]));
            }
            return Err(LedgerError::Store(self.store.failed(source)));
        }
        Ok(())
    }

    /// Brings billing periods up to `at` (renewals, bills for usage, expiries) for one
    /// customer, or for every customer; returns the charges that made, oldest first.
    pub fn advance(
        &mut self,
        customer_id: Option<&str>,
        at: Instant,
    ) -> Result<Vec<BilledCharge>, LedgerError> {
        self.store.require_writable()?;
        let connection = self.store.connection();
        let before: i64 =
            connection.query_row("SELECT COALESCE(MAX(id), 0) FROM charges", [], |row| {
                row.get(0)
            })?;
        let customers: Vec<String> = match customer_id {
            Some(customer_id) => {
                require_customer(connection, customer_id)?;
                vec![customer_id.to_string()]
            }
            None => connection
                .prepare("SELECT id FROM customers ORDER BY id")?
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?,
        };
        for customer in &customers {
            self.bring_up_to_date(customer, at)?;
        }
        billed_charges(self.store.connection(), customer_id, before)
    }

    /// The first time after `at` at which something of the customer's happens by itself: a
    /// renewal, a reset, a trial's end, a scheduled switch, a deferred line, a lot's expiry.
    /// Its periods are brought up to `at` first. Until then usage draws from the same lots
    /// and nothing is billed, so usage up to it adds up in any order (what the revenue
    /// impact's replay sums). `None`: nothing ever will.
    pub fn next_change(
        &mut self,
        customer_id: &str,
        at: Instant,
    ) -> Result<Option<Instant>, LedgerError> {
        self.bring_up_to_date(customer_id, at)?;
        let next: Option<i64> = self
            .store
            .connection()
            .prepare_cached(
                "SELECT MIN(next) FROM (
                     SELECT MIN(next_at) AS next FROM renewals WHERE customer_id = ?1 AND next_at > ?2
                     UNION ALL
                     SELECT MIN(expires_at) FROM lots
                     WHERE customer_id = ?1 AND expires_at > ?2 AND source != 'overdraft'
                 )",
            )?
            .query_row(params![customer_id, at.0], |row| row.get(0))?;
        Ok(next.map(Instant))
    }

    /// Runs what is due (renewals, expiries) in a write transaction, only when something is;
    /// reads the catalog again first when an apply moved it. The customer's clock moves to
    /// `at` with it: what is due before `at` has happened, so a write dated earlier would come
    /// after it. Returns the customer's clock after (`None`: no such customer).
    pub(super) fn bring_up_to_date(
        &mut self,
        customer_id: &str,
        at: Instant,
    ) -> Result<Option<i64>, LedgerError> {
        // One query for the clock, what is due and the catalog revision, as `track` makes.
        let probe = customer_and_due(self.store.connection(), customer_id, at.0)?;
        self.catalog
            .refresh_to(&self.store, probe.catalog_revision)?;
        if !probe.due {
            return Ok(probe.clock);
        }
        let transaction = WriteTransaction::begin(self.store.connection())?;
        let LedgerCatalog {
            versions, currency, ..
        } = self.catalog.refresh(&self.store)?;
        materialize_if_due(&transaction, versions, currency, customer_id, at.0)?;
        transaction
            .prepare_cached("UPDATE customers SET clock_at = ?2 WHERE id = ?1 AND clock_at < ?2")?
            .execute(params![customer_id, at.0])?;
        transaction.commit()?;
        Ok(probe.clock.map(|clock| clock.max(at.0)))
    }
}

/// Every balance of a customer at `at` (its periods already brought up to date): what its
/// lots hold and what its plans make unlimited. Boolean features have no balance. `clock` is
/// the customer's (a time before it is a view of the past).
fn balances_within(
    connection: &Connection,
    context: &LedgerCatalog,
    clock: Option<i64>,
    customer_id: &str,
    at: Instant,
) -> Result<Vec<BalanceView>, LedgerError> {
    let LedgerCatalog {
        catalog, versions, ..
    } = context;
    let mut keys: Vec<String> = connection
        .prepare("SELECT DISTINCT balance_key FROM lots WHERE customer_id = ?1")?
        .query_map([customer_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let active = active_plans(connection, versions, customer_id)?;
    for active_plan in &active {
        keys.extend(
            active_plan
                .plan
                .items
                .keys()
                .filter(|key| {
                    catalog
                        .features
                        .get(*key)
                        .is_none_or(|feature| feature.kind != crate::catalog::FeatureType::Boolean)
                })
                .cloned(),
        );
    }
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| {
            let resolution = match resolve(catalog, &active, &key) {
                Ok(Resolved::Metered(resolution)) if resolution.balance_key == key => resolution,
                _ => super::entitlement::Resolution {
                    balance_key: key.clone(),
                    rate: Decimal::ONE,
                    unlimited: false,
                    overage_allowed: false,
                    granted_free: false,
                    per_entity: None,
                },
            };
            balance_view(
                connection,
                clock,
                customer_id,
                &key,
                None,
                (resolution.unlimited, resolution.overage_allowed),
                at.0,
            )
        })
        .collect()
}

/// One balance of a customer at `at` as [`balances_within`] lists it, inside the transaction
/// that just wrote it (the customer's clock is `at`): `None` when it would not be listed (no
/// lot of it was ever made and no active plan has an item for it). `resolution` is the
/// balance's own: a feature's usage and the credit system covering it resolve alike.
fn listed_balance(
    connection: &Connection,
    active: &[ActivePlan<'_>],
    customer_id: &str,
    resolution: &super::entitlement::Resolution,
    at: Instant,
) -> Result<Option<BalanceView>, LedgerError> {
    let key = resolution.balance_key.as_str();
    let view = balance_view(
        connection,
        Some(at.0),
        customer_id,
        key,
        None,
        (resolution.unlimited, resolution.overage_allowed),
        at.0,
    )?;
    let listed = !view.lots.is_empty()
        || active
            .iter()
            .any(|active_plan| active_plan.plan.items.contains_key(key))
        || connection
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM lots WHERE customer_id = ?1 AND balance_key = ?2)",
            )?
            .query_row(params![customer_id, key], |row| row.get::<_, bool>(0))?;
    Ok(listed.then_some(view))
}

/// The customer's clock, the time of its latest write (or its creation), as an SQL
/// expression of the customer id `?1`: the later of `customers.clock_at` and the customer's
/// latest entry. A write that leaves an entry dated when it happened (`track`) thereby moves
/// the clock without writing the customer's row, one page fewer in the WAL per event; others
/// move `clock_at`. NULL when there is no such customer.
macro_rules! customer_clock_sql {
    () => {
        "(SELECT MAX(clock_at, COALESCE((SELECT MAX(at) FROM entries WHERE customer_id = ?1), clock_at))
          FROM customers WHERE id = ?1)"
    };
}
pub(super) use customer_clock_sql;

/// The start of every write for one customer, in the write's transaction: the customer must
/// exist; then `first`, what the operation checks before time moves (a refusal, or the answer
/// kept for a repeated idempotent request, which is answered whatever its time: `Some` ends
/// the preamble there, and the caller answers it); then a write dated before the customer's
/// clock is refused, the clock moves to `at`, and what fell due by `at` happens (renewals,
/// bills for usage, expiries, a scheduled switch), so the operation meets the customer as of
/// `at`. [`nothing_first`] is the `first` of an operation with no such check.
pub(super) fn catch_up_customer<Repeat>(
    transaction: &Connection,
    context: &LedgerCatalog,
    customer_id: &str,
    at: Instant,
    first: impl FnOnce() -> Result<Option<Repeat>, LedgerError>,
) -> Result<Option<Repeat>, LedgerError> {
    require_customer(transaction, customer_id)?;
    let clock = clock_of(transaction, customer_id)?;
    if let Some(repeat) = first()? {
        return Ok(Some(repeat));
    }
    advance_clock(transaction, customer_id, clock, at)?;
    materialize_if_due(
        transaction,
        &context.versions,
        context.currency,
        customer_id,
        at.0,
    )?;
    Ok(None)
}

/// The `first` of [`catch_up_customer`] for an operation that checks nothing before time
/// moves.
#[expect(
    clippy::unnecessary_wraps,
    reason = "the shape of `catch_up_customer`'s `first`"
)]
pub(super) fn nothing_first() -> Result<Option<Infallible>, LedgerError> {
    Ok(None)
}

/// Refuses a write dated before the customer's clock (the time of its latest write, or its
/// creation): events are applied in time order per customer. Then moves the clock to `at`.
fn advance_clock(
    transaction: &Connection,
    customer_id: &str,
    clock: Option<i64>,
    at: Instant,
) -> Result<(), LedgerError> {
    let clock = refuse_late(customer_id, clock, at)?;
    if at.0 > clock {
        transaction
            .prepare_cached("UPDATE customers SET clock_at = ?2 WHERE id = ?1")?
            .execute(params![customer_id, at.0])?;
    }
    Ok(())
}

/// Refuses a write dated before the customer's clock, and an unknown customer; returns the
/// clock.
fn refuse_late(customer_id: &str, clock: Option<i64>, at: Instant) -> Result<i64, LedgerError> {
    let Some(clock) = clock else {
        return Err(unknown_customer(customer_id));
    };
    if at.0 < clock {
        return Err(LedgerError::Late {
            customer: customer_id.to_string(),
            at: at.to_string(),
            clock: Instant(clock).to_string(),
        });
    }
    Ok(clock)
}

/// A customer's clock (`None` when there is no such customer).
fn clock_of(connection: &Connection, customer_id: &str) -> Result<Option<i64>, LedgerError> {
    Ok(connection
        .prepare_cached(concat!("SELECT ", customer_clock_sql!()))?
        .query_row([customer_id], |row| row.get(0))?)
}

/// Refuses usage values the feature cannot have: a consumable feature's usage is never
/// negative (`grant` adds units); an allocated feature's is a change of level in whole units
/// (it counts things: seats, projects), negative to release.
fn check_usage_value(feature_id: &str, value: Decimal, allocated: bool) -> Result<(), LedgerError> {
    if value.is_zero() {
        return Err(LedgerError::Amount(format!(
            "tracking 0 of `{feature_id}` changes nothing: track what was used (or, for an allocated feature, added or released)"
        )));
    }
    if allocated && !value.fract().is_zero() {
        return Err(LedgerError::Amount(format!(
            "`{feature_id}` is allocated (not consumable) and counts whole units: {} is not a whole number",
            value.normalize()
        )));
    }
    if !allocated && value < Decimal::ZERO {
        return Err(LedgerError::Amount(format!(
            "usage of `{feature_id}` cannot be negative ({}): it is consumable, so used units are not given back; `grant` adds units",
            value.normalize()
        )));
    }
    Ok(())
}

/// The start of every operation that writes: refused on a store opened for reading, then
/// one `BEGIN IMMEDIATE` transaction, and the catalog as of that transaction (read again if an
/// apply moved it).
fn begin_write<'a>(
    store: &'a Store,
    catalog: &'a mut LedgerCatalog,
) -> Result<(WriteTransaction<'a>, &'a LedgerCatalog), LedgerError> {
    store.require_writable()?;
    let transaction = WriteTransaction::begin(store.connection())?;
    let catalog = catalog.refresh(store)?;
    Ok((transaction, catalog))
}

/// A balance as `entity` may use it (its own lots and the customer's), or, for `None`, as a
/// whole (every lot, the entities' too, with the part each entity holds).
pub(super) fn balance_view(
    connection: &rusqlite::Connection,
    clock: Option<i64>,
    customer_id: &str,
    key: &str,
    entity: Option<&str>,
    (unlimited, overage_allowed): (bool, bool),
    at: i64,
) -> Result<BalanceView, LedgerError> {
    // Before the customer's clock the lots have moved on since: the balance then is the sum
    // of the entries up to `at` (every change is an entry), and the lots are not shown.
    if clock.is_some_and(|clock| at < clock) {
        let mut statement = connection.prepare_cached(
            "SELECT amount FROM entries WHERE customer_id = ?1 AND balance_key = ?2 AND at <= ?3
               AND (?4 IS NULL OR entity_id IS NULL OR entity_id = ?4)",
        )?;
        let amounts: Vec<String> = statement
            .query_map(params![customer_id, key, at, entity], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let amounts = amounts
            .iter()
            .map(|amount| decimal(amount))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(BalanceView {
            balance_key: key.to_string(),
            balance: exact::sum(amounts)?,
            unlimited,
            overage_allowed,
            lots: Vec::new(),
            entities: Vec::new(),
        });
    }
    let (total, lots) = balance(connection, customer_id, key, entity, at)?;
    let mut entities: Vec<EntityBalance> = Vec::new();
    if entity.is_none() {
        for lot in &lots {
            let Some(entity_id) = &lot.entity_id else {
                continue;
            };
            match entities
                .iter_mut()
                .find(|held| &held.entity_id == entity_id)
            {
                Some(held) => held.balance = exact::add(held.balance, lot.remaining)?,
                None => entities.push(EntityBalance {
                    entity_id: entity_id.clone(),
                    balance: lot.remaining,
                }),
            }
        }
        entities.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
    }
    Ok(BalanceView {
        balance_key: key.to_string(),
        balance: total,
        unlimited,
        overage_allowed,
        entities,
        lots: lots
            .into_iter()
            .map(|lot| LotView {
                entity_id: lot.entity_id,
                source: lot.source.as_str().to_string(),
                granted: lot.granted,
                remaining: lot.remaining,
                expires_at: lot.expires_at.map(|expires| Instant(expires).to_string()),
                reason: lot.reason,
            })
            .collect(),
    })
}

/// How usage of a metered feature is accounted for a customer now; a boolean feature is refused.
fn metered(
    connection: &rusqlite::Connection,
    catalog: &Catalog,
    versions: &Versions,
    customer_id: &str,
    feature_id: &str,
) -> Result<super::entitlement::Resolution, LedgerError> {
    let active = active_plans(connection, versions, customer_id)?;
    match resolve(catalog, &active, feature_id)? {
        Resolved::Metered(resolution) => Ok(resolution),
        Resolved::Boolean { .. } => Err(LedgerError::BooleanFeature(feature_id.to_string())),
    }
}

/// A customer's charges, oldest first.
fn charge_views(
    connection: &Connection,
    customer_id: &str,
) -> Result<Vec<ChargeView>, LedgerError> {
    Ok(charge_rows(connection, Some(customer_id), 0)?
        .into_iter()
        .map(ChargeRow::view)
        .collect())
}

/// The charges made after the one with id `after` (0: every charge), of one customer or of
/// all, as `advance` answers them, oldest first.
fn billed_charges(
    connection: &Connection,
    customer_id: Option<&str>,
    after: i64,
) -> Result<Vec<BilledCharge>, LedgerError> {
    Ok(charge_rows(connection, customer_id, after)?
        .into_iter()
        .map(|row| BilledCharge {
            customer_id: row.customer_id.clone(),
            charge: row.view(),
        })
        .collect())
}

/// A stored charge.
struct ChargeRow {
    customer_id: String,
    at: i64,
    charge: ChargeRecord,
}

impl ChargeRow {
    fn view(self) -> ChargeView {
        ChargeView {
            at: Instant(self.at).to_string(),
            charge: self.charge,
        }
    }
}

/// The charges with an id above `after` (0: every charge), of one customer or of all, oldest
/// first.
fn charge_rows(
    connection: &Connection,
    customer_id: Option<&str>,
    after: i64,
) -> Result<Vec<ChargeRow>, LedgerError> {
    // Two statements, not one `(?2 IS NULL OR customer_id = ?2)`: SQLite plans a statement
    // once, and that form can use no index, so one customer's read scanned every charge.
    let mut statement = match customer_id {
        Some(_) => connection.prepare_cached(
            "SELECT customer_id, at, currency, total, line_items FROM charges
             WHERE customer_id = ?2 AND id > ?1 ORDER BY at, id",
        )?,
        None => connection.prepare_cached(
            "SELECT customer_id, at, currency, total, line_items FROM charges
             WHERE id > ?1 AND ?2 IS NULL ORDER BY at, id",
        )?,
    };
    let rows = statement.query_map(params![after, customer_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
        ))
    })?;
    let mut charges = Vec::new();
    for row in rows {
        let (customer_id, at, currency, total, line_items) = row?;
        charges.push(ChargeRow {
            customer_id,
            at,
            charge: ChargeRecord {
                currency,
                total: decimal(&total)?,
                line_items: serde_json::from_str(&line_items)
                    .map_err(|error| LedgerError::Corrupt(error.to_string()))?,
            },
        });
    }
    Ok(charges)
}

pub(super) fn require_customer(
    connection: &rusqlite::Connection,
    customer_id: &str,
) -> Result<(), LedgerError> {
    let exists: Option<i64> = connection
        .prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?
        .query_row([customer_id], |row| row.get(0))
        .optional()?;
    exists
        .map(|_| ())
        .ok_or_else(|| unknown_customer(customer_id))
}

pub(super) fn active_subscriptions(
    connection: &rusqlite::Connection,
    customer_id: &str,
) -> Result<Vec<(i64, String, u32)>, LedgerError> {
    // Sorted here, not with `ORDER BY id`: SQLite re-prepares that form on every transaction.
    let mut statement = connection.prepare_cached(
        "SELECT id, plan_id, version FROM subscriptions WHERE customer_id = ?1 AND ended_at IS NULL",
    )?;
    let rows = statement.query_map([customer_id], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })?;
    let mut subscriptions: Vec<(i64, String, u32)> = rows.collect::<Result<_, _>>()?;
    subscriptions.sort_by_key(|(id, _, _)| *id);
    Ok(subscriptions)
}

pub(super) fn active_plans<'a>(
    connection: &rusqlite::Connection,
    versions: &'a Versions,
    customer_id: &str,
) -> Result<Vec<ActivePlan<'a>>, LedgerError> {
    active_subscriptions(connection, customer_id)?
        .into_iter()
        .map(|(subscription_id, plan_id, version)| {
            let plan = versions.get(&(plan_id.clone(), version)).ok_or_else(|| {
                LedgerError::Corrupt(format!("plan `{plan_id}` version {version} is missing"))
            })?;
            Ok(ActivePlan {
                plan,
                subscription_id,
            })
        })
        .collect()
}

/// A ledger entry to append.
pub struct NewEntry<'a> {
    pub customer_id: &'a str,
    pub at: i64,
    pub kind: &'a str,
    pub balance_key: &'a str,
    pub amount: Decimal,
    pub feature_id: Option<&'a str>,
    pub units: Option<Decimal>,
    pub reason: Option<&'a str>,
    pub subscription_id: Option<i64>,
    pub idempotency_key: Option<&'a str>,
    /// The entity whose balance the entry changes; `None`: the customer's.
    pub entity_id: Option<&'a str>,
}

/// Appends an entry. Entries are never updated or deleted.
pub fn entry(transaction: &Connection, entry: &NewEntry<'_>) -> Result<(), LedgerError> {
    transaction
        .prepare_cached(
            "INSERT INTO entries (customer_id, at, kind, balance_key, amount, feature_id, units, reason, subscription_id, idempotency_key, entity_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            entry.customer_id,
            entry.at,
            entry.kind,
            entry.balance_key,
            text(entry.amount),
            entry.feature_id,
            entry.units.map(text),
            entry.reason,
            entry.subscription_id,
            entry.idempotency_key,
            entry.entity_id,
        ])?;
    Ok(())
}

/// Stores a charge (nothing for an empty one).
pub fn record_charge(
    transaction: &Connection,
    customer_id: &str,
    at: i64,
    subscription_id: Option<i64>,
    charge: &Charge,
) -> Result<(), LedgerError> {
    if charge.line_items.is_empty() {
        return Ok(());
    }
    transaction
        .prepare_cached("INSERT INTO charges (customer_id, at, subscription_id, currency, total, line_items) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![
            customer_id,
            at,
            subscription_id,
            charge.currency,
            charge.total.to_string(),
            serde_json::to_string(&charge.line_items).expect("line items serialize"),
        ])?;
    Ok(())
}

/// An answer an idempotency key keeps: stored as JSON, and marked when it answers a repeat.
trait Replayable: serde::Serialize + serde::de::DeserializeOwned {
    /// The same answer, saying it answers a repeat of the request.
    fn replayed(self) -> Self;
}

impl Replayable for AttachResult {
    fn replayed(self) -> Self {
        AttachResult {
            replayed: true,
            ..self
        }
    }
}

impl Replayable for QuantityResult {
    fn replayed(self) -> Self {
        QuantityResult {
            replayed: true,
            ..self
        }
    }
}

impl Replayable for TrackResult {
    fn replayed(self) -> Self {
        TrackResult {
            replayed: true,
            ..self
        }
    }
}

/// The answer of an earlier request with the same idempotency key: the operation is applied
/// once, whatever the number of calls. A key reused for another request is refused.
fn idempotent_response<Request: serde::Serialize, Response: serde::de::DeserializeOwned>(
    transaction: &Connection,
    key: Option<&str>,
    operation: &str,
    request: &Request,
) -> Result<Option<Response>, LedgerError> {
    check_idempotency_key(key)?;
    let Some(key) = key else { return Ok(None) };
    let stored: Option<(String, String, String)> = transaction
        // Keys are global: the stored request names its customer, so the same key sent for
        // another customer is a different request, and refused.
        .prepare_cached("SELECT operation, request, response FROM idempotency WHERE key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let Some((stored_operation, stored_request, response)) = stored else {
        return Ok(None);
    };
    let request = serde_json::to_string(request).expect("requests serialize");
    if stored_operation != operation || stored_request != request {
        return Err(LedgerError::IdempotencyConflict(key.to_string()));
    }
    serde_json::from_str(&response)
        .map(Some)
        .map_err(|error| LedgerError::Corrupt(error.to_string()))
}

fn remember<Request: serde::Serialize, Response: serde::Serialize>(
    transaction: &Connection,
    customer_id: &str,
    key: Option<&str>,
    operation: &str,
    request: &Request,
    response: &Response,
) -> Result<(), LedgerError> {
    let Some(key) = key else { return Ok(()) };
    transaction
        .prepare_cached("INSERT INTO idempotency (customer_id, key, operation, request, response) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![
            customer_id,
            key,
            operation,
            serde_json::to_string(request).expect("requests serialize"),
            serde_json::to_string(response).expect("responses serialize"),
        ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ledger over an in-memory store whose catalog is a currency and nothing else: enough
    /// for customers.
    fn ledger() -> Ledger {
        let store = Store::open_in_memory().expect("a store");
        store
            .connection()
            .execute(
                "INSERT INTO meta (key, value) VALUES ('currency', 'USD')",
                [],
            )
            .expect("a currency");
        Ledger::over(store).expect("a ledger")
    }

    fn create(customer_id: &str) -> Operation {
        Operation::CreateCustomer {
            customer_id: customer_id.into(),
            name: None,
            email: None,
        }
    }

    #[test]
    fn once_sqlite_rolled_a_group_back_nothing_more_is_performed_and_nothing_is_kept() {
        let mut ledger = ledger();
        let group = ledger.in_one_commit(|ledger| {
            ledger
                .execute(&create("a"), Instant(1))
                .expect("a customer");
            // What SQLite does itself on an I/O failure or a full disk.
            ledger
                .store
                .connection()
                .execute_batch("ROLLBACK")
                .expect("rolled back");
            // Performed now, this would commit on its own while the group fails.
            ledger.execute(&create("b"), Instant(2))
        });
        assert!(matches!(group, Err(LedgerError::RolledBack)), "{group:?}");
        for customer in ["a", "b"] {
            assert!(
                matches!(
                    ledger.customer(customer, Instant(3)),
                    Err(LedgerError::UnknownCustomer(_))
                ),
                "{customer} was kept"
            );
        }
    }
}
