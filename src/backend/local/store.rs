use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::backend::change_shape::{check_shape, rejected};
use crate::backend::{
    ApplyProgress, ApplyReport, Backend, BackendError, Capabilities, ChangeStatus,
};
use crate::diff::{Action, Change, ObjectState, Plan};
use crate::live::{HeldCredits, LivePlan, LiveState};
use crate::store::{Access, Store, StoreError, bump_catalog_revision};

/// A billing catalog in a `SQLite` file (or in memory, for scenario tests).
pub struct LocalStore {
    store: Store,
}

impl LocalStore {
    /// Opens the store at `path` for an apply: created (with its directory) on first use and
    /// migrated forward.
    pub fn open(path: &Path) -> Result<LocalStore, BackendError> {
        LocalStore::open_with(path, Access::Create)
    }

    /// Opens the store at `path` for what the command does with it (`plan` reads, and a
    /// missing store reads as empty: [`Access::ReadOrEmpty`]).
    pub fn open_with(path: &Path, access: Access) -> Result<LocalStore, BackendError> {
        Ok(LocalStore::over(Store::open(path, access)?))
    }

    /// A fresh store in memory.
    pub fn open_in_memory() -> Result<LocalStore, BackendError> {
        Ok(LocalStore::over(Store::open_in_memory()?))
    }

    /// The backend over a store already open.
    pub fn over(store: Store) -> LocalStore {
        LocalStore { store }
    }

    /// The store itself, for reads beyond the catalog (the server lists plan versions with
    /// their dates, and customers).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for the ledger that runs on it (scenarios apply, then run the ledger).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// [`Backend::fetch`], and the moment its answer changes with no write to the store in
    /// between: when the first prepaid credits it counts as held expire. `None` when nothing
    /// it counts expires. Nothing else in it depends on the time.
    pub fn fetch_until(&mut self) -> Result<(LiveState, Option<SystemTime>), BackendError> {
        let (live, first_expiry) = self.fetch_state().map_err(|error| self.located(error))?;
        // A lot counts while `expires_at > now` in milliseconds: from `expires_at` on, not.
        let until = first_expiry.map(|millis| {
            UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(millis).unwrap_or(0))
        });
        Ok((live, until))
    }

    fn fetch_state(&self) -> Result<(LiveState, Option<i64>), BackendError> {
        let stored = self.store.read_catalog()?;
        let connection = self.store.connection();
        let mut state = LiveState::empty(&stored.catalog.currency);
        state.catalog = stored.catalog;
        let (held, first_expiry) = held_credits(connection, &state.catalog.credit_systems)?;
        state.held_credits = Some(held);

        let mut customers: BTreeMap<(String, u32), u64> = BTreeMap::new();
        let mut statement = connection.prepare(
            "SELECT plan_id, version, COUNT(DISTINCT customer_id) FROM subscriptions
             WHERE ended_at IS NULL GROUP BY plan_id, version",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(((row.get(0)?, row.get(1)?), row.get::<_, i64>(2)?))
        })?;
        for row in rows {
            let (key, count) = row?;
            customers.insert(key, u64::try_from(count).unwrap_or(0));
        }

        for ((plan_id, version), plan) in stored.versions {
            let current = stored
                .current_versions
                .get(&plan_id)
                .copied()
                .unwrap_or(version);
            let customers_on_version = customers
                .get(&(plan_id.clone(), version))
                .copied()
                .unwrap_or(0);
            let live_plan = state
                .plans
                .entry(plan_id.clone())
                .or_insert_with(|| LivePlan {
                    version: current,
                    customers_by_version: BTreeMap::new(),
                    customers_ever: 0,
                });
            if customers_on_version > 0 {
                live_plan
                    .customers_by_version
                    .insert(version, customers_on_version);
            }
            // Old versions matter only while customers are on them.
            if version != current && customers_on_version > 0 {
                state
                    .grandfathered
                    .entry(plan_id)
                    .or_default()
                    .extend(plan.items.into_keys());
            }
        }
        let mut ever = connection.prepare(
            "SELECT plan_id, COUNT(DISTINCT customer_id) FROM subscriptions GROUP BY plan_id",
        )?;
        let counts = ever.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })?;
        for count in counts {
            let (plan_id, count) = count?;
            if let Some(live_plan) = state.plans.get_mut(&plan_id) {
                live_plan.customers_ever = u64::try_from(count).unwrap_or(0);
            }
        }
        Ok((state, first_expiry))
    }

    /// Names the store in a bare `SQLite` failure.
    fn located(&self, error: BackendError) -> BackendError {
        named(&self.store.location(), error)
    }
}

/// The prepaid credits customers hold of each credit system: purchased lots with credits left
/// that have not expired, summed exactly. Every credit system is listed, held or not. With
/// them, the first moment one of the lots counted expires (and the sums change).
fn held_credits<T>(
    connection: &Connection,
    credit_systems: &BTreeMap<String, T>,
) -> Result<(BTreeMap<String, HeldCredits>, Option<i64>), BackendError> {
    let mut held: BTreeMap<String, (std::collections::BTreeSet<String>, rust_decimal::Decimal)> =
        credit_systems
            .keys()
            .map(|id| (id.clone(), Default::default()))
            .collect();
    let mut first_expiry: Option<i64> = None;
    let mut statement = connection.prepare(
        "SELECT balance_key, customer_id, remaining, expires_at FROM lots
         WHERE source = 'purchased' AND (expires_at IS NULL OR expires_at > ?1)",
    )?;
    let rows = statement.query_map([now_millis()], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<i64>>(3)?,
        ))
    })?;
    for row in rows {
        let (system, customer, remaining, expires_at) = row?;
        let Some((customers, credits)) = held.get_mut(&system) else {
            continue; // a feature's balance, not a credit system's
        };
        let remaining = rust_decimal::Decimal::from_str_exact(&remaining).map_err(|error| {
            BackendError::Corrupt {
                detail: format!("a lot of `{system}` held by `{customer}`: {error}"),
            }
        })?;
        if remaining > rust_decimal::Decimal::ZERO {
            if let Some(expires_at) = expires_at {
                first_expiry = Some(first_expiry.map_or(expires_at, |first| first.min(expires_at)));
            }
            customers.insert(customer);
            *credits = credits
                .checked_add(remaining)
                .ok_or_else(|| BackendError::Corrupt {
                    detail: format!("the credits of `{system}` sum beyond a decimal's range"),
                })?;
        }
    }
    let held = held
        .into_iter()
        .map(|(system, (customers, credits))| {
            let customers = u64::try_from(customers.len()).unwrap_or(u64::MAX);
            (system, HeldCredits { customers, credits })
        })
        .collect();
    Ok((held, first_expiry))
}

impl Backend for LocalStore {
    fn describe(&self) -> String {
        match self.store.path() {
            Some(path) => format!("local store {}", path.display()),
            None => "local store in memory".into(),
        }
    }

    fn fetch(&mut self) -> Result<LiveState, BackendError> {
        self.fetch_until().map(|(live, _)| live)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            atomic: true,
            instant: true,
        }
    }

    /// One `BEGIN IMMEDIATE` transaction: every change or none. At the first failure the
    /// changes before it are rolled back and the rest are not attempted. A success raises the
    /// store's catalog revision in the same transaction.
    fn apply(&mut self, plan: &Plan, progress: &mut dyn ApplyProgress) -> ApplyReport {
        if let Err(error) = self.store.require_writable() {
            return ApplyReport::not_started(plan, error.into());
        }
        let location = self.store.location();
        let transaction = match self
            .store
            .connection_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(transaction) => transaction,
            Err(error) => return ApplyReport::not_started(plan, named(&location, error.into())),
        };
        if let Err(error) = take_currency(&transaction, &plan.currency) {
            return ApplyReport::not_started(plan, named(&location, error));
        }
        let mut report = ApplyReport::in_order(plan, progress, |_, change| {
            apply_change(&transaction, change).map_err(|error| named(&location, error))
        });
        let failed = report.first_failure().is_some();
        // Dropping the transaction without commit rolls every change back. A ledger that
        // stays open reads the catalog again when the revision moves.
        let failure = if failed {
            None
        } else {
            bump_catalog_revision(&transaction)
                .and_then(|()| transaction.commit())
                .err()
                .map(|error| named(&location, error.into()))
        };
        if failed || failure.is_some() {
            for change in &mut report.changes {
                if change.status.is_applied() {
                    change.status = ChangeStatus::RolledBack;
                }
            }
        }
        report.failure = failure;
        report
    }
}

/// Names the store in a bare `SQLite` failure.
fn named(location: &str, error: BackendError) -> BackendError {
    match error {
        BackendError::Sqlite(source) => {
            BackendError::Store(StoreError::at(location.to_string(), source))
        }
        other => other,
    }
}

/// An empty store takes the plan's currency; a store in another currency refuses the plan.
fn take_currency(transaction: &Transaction<'_>, wanted: &str) -> Result<(), BackendError> {
    let currency: Option<String> = transaction
        .query_row("SELECT value FROM meta WHERE key = 'currency'", [], |row| {
            row.get(0)
        })
        .optional()?;
    match currency {
        None => {
            transaction.execute(
                "INSERT INTO meta (key, value) VALUES ('currency', ?1)",
                [wanted],
            )?;
            Ok(())
        }
        Some(currency) if currency != wanted => Err(BackendError::Rejected {
            address: "catalog".into(),
            reason: format!("the store is in {currency}, the plan in {wanted}"),
        }),
        Some(_) => Ok(()),
    }
}

/// Performs one change, after checking that it is well formed and that the store still holds
/// what the plan saw. A plan is input (a saved plan is a file anyone can edit): a change that
/// makes no sense is rejected, never trusted.
fn apply_change(transaction: &Transaction<'_>, change: &Change) -> Result<(), BackendError> {
    let (table, id) = match check_shape(change)? {
        ObjectState::Feature(feature) => ("features", feature.id.as_str()),
        ObjectState::CreditSystem(system) => ("credit_systems", system.id.as_str()),
        ObjectState::Plan(plan) => return apply_plan_change(transaction, change, &plan.id),
        ObjectState::Item(_) => return Err(rejected(change, "items change with their plan")),
    };
    let stored: Option<String> = transaction
        .query_row(
            &format!("SELECT definition FROM {table} WHERE id = ?1"),
            [id],
            |row| row.get(0),
        )
        .optional()?;
    check_before(change, stored.as_deref())?;
    match change.action {
        Action::Create => {
            transaction.execute(
                &format!("INSERT INTO {table} (id, definition) VALUES (?1, ?2)"),
                params![id, definition(change)?],
            )?;
        }
        Action::Update | Action::Archive | Action::NewVersion => {
            transaction.execute(
                &format!("UPDATE {table} SET definition = ?2 WHERE id = ?1"),
                params![id, definition(change)?],
            )?;
        }
        Action::Delete => {
            transaction.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
        }
    }
    Ok(())
}

fn apply_plan_change(
    transaction: &Transaction<'_>,
    change: &Change,
    id: &str,
) -> Result<(), BackendError> {
    let current: Option<(u32, String)> = transaction
        .query_row(
            "SELECT plans.current_version, plan_versions.definition FROM plans
             JOIN plan_versions ON plan_versions.plan_id = plans.id AND plan_versions.version = plans.current_version
             WHERE plans.id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    check_before(
        change,
        current.as_ref().map(|(_, definition)| definition.as_str()),
    )?;
    let now = now_millis();
    if change.action == Action::Create {
        transaction.execute(
            "INSERT INTO plans (id, current_version) VALUES (?1, 1)",
            [id],
        )?;
        transaction.execute(
            "INSERT INTO plan_versions (plan_id, version, definition, created_at) VALUES (?1, 1, ?2, ?3)",
            params![id, definition(change)?, now],
        )?;
        return Ok(());
    }
    // `check_shape` and `check_before` leave only changes to a plan the store holds; this is
    // the same refusal, for the type checker.
    let Some((version, _)) = current else {
        return Err(conflict(change, "it is no longer in the store"));
    };
    match change.action {
        Action::Create => {}
        Action::Update | Action::Archive => {
            transaction.execute(
                "UPDATE plan_versions SET definition = ?3 WHERE plan_id = ?1 AND version = ?2",
                params![id, version, definition(change)?],
            )?;
        }
        Action::NewVersion => {
            let next = version
                .checked_add(1)
                .ok_or_else(|| rejected(change, "the plan has no version after this one"))?;
            transaction.execute(
                "INSERT INTO plan_versions (plan_id, version, definition, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, next, definition(change)?, now],
            )?;
            transaction.execute(
                "UPDATE plans SET current_version = ?2 WHERE id = ?1",
                params![id, next],
            )?;
        }
        Action::Delete => {
            let customers: i64 = transaction.query_row(
                "SELECT COUNT(*) FROM subscriptions WHERE plan_id = ?1",
                [id],
                |row| row.get(0),
            )?;
            if customers > 0 {
                return Err(rejected(
                    change,
                    "customers have been on this plan; it can only be archived",
                ));
            }
            transaction.execute("DELETE FROM plan_versions WHERE plan_id = ?1", [id])?;
            transaction.execute("DELETE FROM plans WHERE id = ?1", [id])?;
        }
    }
    Ok(())
}

fn conflict(change: &Change, reason: &str) -> BackendError {
    BackendError::Conflict {
        address: change.address.to_string(),
        reason: reason.to_string(),
    }
}

/// Refuses a change whose `before` is not what the store holds: someone else changed the
/// catalog since the plan was made.
fn check_before(change: &Change, stored: Option<&str>) -> Result<(), BackendError> {
    let (stored, before) = match (stored, &change.before) {
        (None, None) => return Ok(()),
        (Some(_), None) => {
            return Err(conflict(change, "it already exists in the store"));
        }
        (None, Some(_)) => {
            return Err(conflict(change, "it is no longer in the store"));
        }
        (Some(stored), Some(before)) => (stored, before),
    };
    let stored_json: serde_json::Value =
        serde_json::from_str(stored).map_err(|error| BackendError::Corrupt {
            detail: format!("{}: {error}", change.address),
        })?;
    if stored_json != object_json(change, before)? {
        return Err(conflict(
            change,
            "it changed in the store since the plan was made",
        ));
    }
    Ok(())
}

/// The JSON definition a change writes.
fn definition(change: &Change) -> Result<String, BackendError> {
    let Some(after) = &change.after else {
        return Err(rejected(change, "the change has no object to write"));
    };
    Ok(object_json(change, after)?.to_string())
}

/// An object in the catalog's JSON form, as the store keeps it.
fn object_json(change: &Change, object: &ObjectState) -> Result<serde_json::Value, BackendError> {
    match object {
        ObjectState::Feature(feature) => serde_json::to_value(feature),
        ObjectState::CreditSystem(system) => serde_json::to_value(system),
        ObjectState::Plan(plan) => serde_json::to_value(plan),
        ObjectState::Item(item) => serde_json::to_value(item),
    }
    .map_err(|error| rejected(change, &format!("its object cannot be written: {error}")))
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::LocalStore;
    use crate::backend::{Backend, BackendError, ChangeStatus, ErrorKind, NoProgress};
    use crate::catalog::{Catalog, Feature};
    use crate::diff::diff;
    use crate::live::LiveState;

    fn one_feature(currency: &str, id: &str) -> Catalog {
        Catalog::of(
            currency,
            vec![Feature::metered(id, "Tokens")],
            Vec::new(),
            Vec::new(),
        )
    }

    #[test]
    fn a_plan_in_another_currency_is_not_started_and_changes_nothing() {
        let mut store = LocalStore::open_in_memory().expect("store");
        let in_dollars = diff(&one_feature("USD", "tokens"), &LiveState::empty(""));
        assert!(store.apply(&in_dollars, &mut NoProgress).is_complete());
        // The diff refuses a currency change; a plan made against another (empty) store
        // reaches this one anyway: a valid create, in euros.
        let in_euros = diff(&one_feature("EUR", "eu-tokens"), &LiveState::empty(""));
        let report = store.apply(&in_euros, &mut NoProgress);
        assert_eq!(
            report.failure.as_ref().map(BackendError::kind),
            Some(ErrorKind::Rejected)
        );
        assert!(
            report
                .changes
                .iter()
                .all(|change| matches!(change.status, ChangeStatus::NotAttempted))
        );
        let live = store.fetch().expect("fetch");
        assert_eq!(live.catalog, one_feature("USD", "tokens"), "nothing moved");
    }
}
