//! Lots: the grants a balance is made of, each with its own expiry, and the order usage draws
//! from them.
//!
//! Draw order: lots that expire, soonest first; then included units that never expire; then
//! purchased; then gifted with no expiry. Usage beyond every lot is never dropped: it goes to
//! an overdraft lot (negative), which the next grant of that balance pays off first.
//!
//! An allocated (non-consumable) feature's usage is a level, not a draw: one `in_use` lot holds
//! minus the units in use, going down as units are allocated and up as they are released; the
//! grants beside it are never drawn, and no grant pays the level off.

use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

use super::error::LedgerError;
use super::exact;

/// Where a lot's units came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Included,
    Purchased,
    Gifted,
    Overdraft,
    /// Minus the units of an allocated feature in use (a level, never expires).
    InUse,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Included => "included",
            Source::Purchased => "purchased",
            Source::Gifted => "gifted",
            Source::Overdraft => "overdraft",
            Source::InUse => "in_use",
        }
    }

    fn parse(text: &str) -> Result<Source, LedgerError> {
        match text {
            "included" => Ok(Source::Included),
            "purchased" => Ok(Source::Purchased),
            "gifted" => Ok(Source::Gifted),
            "overdraft" => Ok(Source::Overdraft),
            "in_use" => Ok(Source::InUse),
            other => Err(LedgerError::Corrupt(format!(
                "unknown lot source `{other}`"
            ))),
        }
    }
}

/// A lot as stored.
#[derive(Debug, Clone)]
pub struct Lot {
    pub id: i64,
    pub source: Source,
    pub granted: Decimal,
    pub remaining: Decimal,
    pub expires_at: Option<i64>,
    pub reason: Option<String>,
}

/// What a new lot is.
pub struct NewLot<'a> {
    pub customer_id: &'a str,
    pub balance_key: &'a str,
    pub source: Source,
    pub amount: Decimal,
    pub starts_at: i64,
    pub expires_at: Option<i64>,
    pub subscription_id: Option<i64>,
    pub reason: Option<&'a str>,
}

/// The sum of lots' remaining units; `Err` when it does not fit a decimal.
fn sum(lots: &[Lot]) -> Result<Decimal, LedgerError> {
    exact::sum(lots.iter().map(|lot| lot.remaining))
}

/// A decimal's stored text: normalized, and zero always `0` (queries compare against it).
pub fn text(value: Decimal) -> String {
    if value.is_zero() {
        "0".to_string()
    } else {
        value.normalize().to_string()
    }
}

pub fn decimal(text: &str) -> Result<Decimal, LedgerError> {
    Decimal::from_str_exact(text)
        .map_err(|error| LedgerError::Corrupt(format!("`{text}`: {error}")))
}

/// The lots of a balance in force at `at`, in draw order (overdraft last).
pub fn active_lots(
    connection: &rusqlite::Connection,
    customer_id: &str,
    balance_key: &str,
    at: i64,
) -> Result<Vec<Lot>, LedgerError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, source, granted, remaining, expires_at, reason FROM lots
         WHERE customer_id = ?1 AND balance_key = ?2 AND starts_at <= ?3
           AND (expires_at IS NULL OR expires_at > ?3) AND empty = 0 AND remaining != '0'",
    )?;
    let rows = statement.query_map(params![customer_id, balance_key, at], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<i64>>(4)?,
            row.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut lots = Vec::new();
    for row in rows {
        let (id, source, granted, remaining, expires_at, reason) = row?;
        let lot = Lot {
            id,
            source: Source::parse(&source)?,
            granted: decimal(&granted)?,
            remaining: decimal(&remaining)?,
            expires_at,
            reason,
        };
        if !lot.remaining.is_zero() {
            lots.push(lot);
        }
    }
    lots.sort_by_key(draw_rank);
    Ok(lots)
}

/// Expiring lots by expiry, then included, purchased, gifted; overdraft and units in use last;
/// ties by age.
fn draw_rank(lot: &Lot) -> (u8, i64, Source, i64) {
    match (lot.source, lot.expires_at) {
        (Source::Overdraft | Source::InUse, _) => (2, 0, lot.source, lot.id),
        (_, Some(expires_at)) => (0, expires_at, lot.source, lot.id),
        (source, None) => (1, 0, source, lot.id),
    }
}

/// The balance: the sum of the lots in force.
pub fn balance(
    connection: &rusqlite::Connection,
    customer_id: &str,
    balance_key: &str,
    at: i64,
) -> Result<(Decimal, Vec<Lot>), LedgerError> {
    let lots = active_lots(connection, customer_id, balance_key, at)?;
    let total = sum(&lots)?;
    Ok((total, lots))
}

/// Sets what is left of a lot, keeping its `empty` flag in step. The flag, not `remaining`,
/// is the condition of the index of lots in force, so a draw that leaves something in the lot
/// rewrites the lot's row alone, not the index (one page fewer for every `track`).
fn set_remaining(transaction: &Connection, id: i64, remaining: Decimal) -> Result<(), LedgerError> {
    if remaining.is_zero() {
        transaction
            .prepare_cached("UPDATE lots SET remaining = '0', empty = 1 WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    }
    let remaining = text(remaining);
    let updated = transaction
        .prepare_cached("UPDATE lots SET remaining = ?2 WHERE id = ?1 AND empty = 0")?
        .execute(params![id, remaining])?;
    if updated == 0 {
        // The lot was empty and fills again (an overdraft, or units in use).
        transaction
            .prepare_cached("UPDATE lots SET remaining = ?2, empty = 0 WHERE id = ?1")?
            .execute(params![id, remaining])?;
    }
    Ok(())
}

/// Deducts `amount` from a balance in draw order; what no lot covers goes to the overdraft.
/// `lots` are the balance's lots in force at `at` as [`balance`] read them in this
/// transaction (the caller needed them already: read once, not twice). Returns the balance
/// after.
pub fn draw(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    lots: &[Lot],
    amount: Decimal,
    at: i64,
) -> Result<Decimal, LedgerError> {
    let mut left = amount;
    let after = exact::sub(sum(lots)?, amount)?;
    let mut overdraft = None;
    for lot in lots {
        if lot.source == Source::Overdraft {
            overdraft = Some(lot.clone());
            continue;
        }
        if lot.source == Source::InUse {
            continue;
        }
        if left.is_zero() || lot.remaining <= Decimal::ZERO {
            continue;
        }
        let taken = left.min(lot.remaining);
        set_remaining(transaction, lot.id, exact::sub(lot.remaining, taken)?)?;
        left = exact::sub(left, taken)?;
    }
    if left > Decimal::ZERO {
        overdraw(transaction, customer_id, balance_key, left, at, overdraft)?;
    }
    Ok(after)
}

/// Puts `left` units that no lot covers on the balance's overdraft (`known`: its overdraft lot,
/// when the caller read it already).
fn overdraw(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    left: Decimal,
    at: i64,
    known: Option<Lot>,
) -> Result<(), LedgerError> {
    let overdraft = match known {
        Some(lot) => Some(lot),
        None => find_overdraft(transaction, customer_id, balance_key)?,
    };
    match overdraft {
        Some(lot) => set_remaining(transaction, lot.id, exact::sub(lot.remaining, left)?)?,
        None => insert_below_zero(
            transaction,
            customer_id,
            balance_key,
            Source::Overdraft,
            left,
            at,
        )?,
    }
    Ok(())
}

/// A lot that grants nothing and stands `units` below zero: an overdraft, or the units of an
/// allocated feature in use.
fn insert_below_zero(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    source: Source,
    units: Decimal,
    at: i64,
) -> Result<(), LedgerError> {
    transaction
        .prepare_cached(
            "INSERT INTO lots (customer_id, balance_key, source, granted, remaining, starts_at, empty)
             VALUES (?1, ?2, ?3, '0', ?4, ?5, ?6)",
        )?
        .execute(params![
            customer_id,
            balance_key,
            source.as_str(),
            text(-units),
            at,
            units.is_zero()
        ])?;
    Ok(())
}

/// Takes `amount` units of a subscription's purchase back (its prepaid quantity was lowered):
/// from its purchased lots in force, soonest to expire first. Units of them already used are
/// not given back: what the lots no longer hold goes to the overdraft (Autumn moves the
/// balance by the change, usage kept).
pub fn withdraw(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    subscription_id: i64,
    amount: Decimal,
    at: i64,
) -> Result<(), LedgerError> {
    let lots: Vec<(i64, String)> = transaction
        .prepare_cached(
            "SELECT id, remaining FROM lots
             WHERE customer_id = ?1 AND balance_key = ?2 AND subscription_id = ?3 AND source = 'purchased'
               AND starts_at <= ?4 AND (expires_at IS NULL OR expires_at > ?4) AND remaining != '0'
             ORDER BY expires_at IS NULL, expires_at, id",
        )?
        .query_map(params![customer_id, balance_key, subscription_id, at], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut left = amount;
    for (id, remaining) in lots {
        let remaining = decimal(&remaining)?;
        if left.is_zero() || remaining <= Decimal::ZERO {
            continue;
        }
        let taken = left.min(remaining);
        set_remaining(transaction, id, exact::sub(remaining, taken)?)?;
        left = exact::sub(left, taken)?;
    }
    if left > Decimal::ZERO {
        overdraw(transaction, customer_id, balance_key, left, at, None)?;
    }
    Ok(())
}

/// The overdraft lot of a balance, whatever its amount (an overdraft never expires).
fn find_overdraft(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
) -> Result<Option<Lot>, LedgerError> {
    let row: Option<(i64, String)> = transaction
        .prepare_cached(
            "SELECT id, remaining FROM lots WHERE customer_id = ?1 AND balance_key = ?2 AND source = 'overdraft'",
        )?
        .query_row(params![customer_id, balance_key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    row.map(|(id, remaining)| {
        Ok(Lot {
            id,
            source: Source::Overdraft,
            granted: Decimal::ZERO,
            remaining: decimal(&remaining)?,
            expires_at: None,
            reason: None,
        })
    })
    .transpose()
}

/// Changes the level of an allocated feature by `amount` (positive allocates, negative
/// releases); returns the balance after. `lots` are the balance's lots in force, as for
/// [`draw`]. Releasing more than is in use is refused.
pub fn allocate(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    lots: &[Lot],
    amount: Decimal,
    at: i64,
) -> Result<Decimal, LedgerError> {
    let after = exact::sub(sum(lots)?, amount)?;
    // Units in use are released back up to what was allocated, never beyond.
    let row: Option<(i64, String)> = transaction
        .prepare_cached(
            "SELECT id, remaining FROM lots WHERE customer_id = ?1 AND balance_key = ?2 AND source = 'in_use'",
        )?
        .query_row(params![customer_id, balance_key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let in_use = match &row {
        Some((_, remaining)) => -decimal(remaining)?,
        None => Decimal::ZERO,
    };
    let level = exact::add(in_use, amount)?;
    if level < Decimal::ZERO {
        return Err(LedgerError::Amount(format!(
            "cannot release {} of `{balance_key}`: {} in use",
            (-amount).normalize(),
            in_use.normalize()
        )));
    }
    match row {
        Some((id, _)) => set_remaining(transaction, id, -level)?,
        None => insert_below_zero(
            transaction,
            customer_id,
            balance_key,
            Source::InUse,
            level,
            at,
        )?,
    }
    Ok(after)
}

/// The units of an allocated balance in use; `None` for a balance that is not allocated (no
/// unit of it was ever in use).
pub fn in_use(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
) -> Result<Option<Decimal>, LedgerError> {
    let remaining: Option<String> = transaction
        .prepare_cached(
            "SELECT remaining FROM lots WHERE customer_id = ?1 AND balance_key = ?2 AND source = 'in_use'",
        )?
        .query_row(params![customer_id, balance_key], |row| row.get(0))
        .optional()?;
    remaining
        .map(|text| decimal(&text).map(|remaining| -remaining))
        .transpose()
}

/// The units a balance owes (its overdraft, as a positive number).
pub fn owed(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
) -> Result<Decimal, LedgerError> {
    Ok(find_overdraft(transaction, customer_id, balance_key)?
        .map_or(Decimal::ZERO, |lot| (-lot.remaining).max(Decimal::ZERO)))
}

/// Clears `amount` of a balance's overdraft (it was billed or paid off).
pub fn settle_overdraft(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    amount: Decimal,
) -> Result<(), LedgerError> {
    if let Some(lot) = find_overdraft(transaction, customer_id, balance_key)? {
        set_remaining(transaction, lot.id, exact::add(lot.remaining, amount)?)?;
    }
    Ok(())
}

/// Adds a lot; it pays off the balance's overdraft first.
pub fn add_lot(transaction: &Connection, lot: &NewLot<'_>) -> Result<i64, LedgerError> {
    let owed_now = owed(transaction, lot.customer_id, lot.balance_key)?;
    let paid = owed_now.min(lot.amount);
    if paid > Decimal::ZERO {
        settle_overdraft(transaction, lot.customer_id, lot.balance_key, paid)?;
    }
    let remaining = exact::sub(lot.amount, paid)?;
    transaction
        .prepare_cached(
            "INSERT INTO lots (customer_id, balance_key, source, granted, remaining, starts_at, expires_at, subscription_id, reason, empty)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            lot.customer_id,
            lot.balance_key,
            lot.source.as_str(),
            text(lot.amount),
            text(remaining),
            lot.starts_at,
            lot.expires_at,
            lot.subscription_id,
            lot.reason,
            remaining.is_zero(),
        ])?;
    Ok(transaction.last_insert_rowid())
}

/// The reason of a lot of rolled-over units.
pub const ROLLOVER: &str = "rollover";
/// The reason of the entry that expires a lot at the end of its period.
pub const PERIOD_ENDED: &str = "the period ended; included and period-bound units do not roll over";
/// The reason of the entry that expires rolled-over units.
const ROLLOVER_EXPIRED: &str = "rolled-over units expired";

/// A lot whose time has come: id, balance, remaining, expiry, subscription, reason.
type DueLot = (i64, String, String, i64, Option<i64>, Option<String>);

/// Expires what is left of the lots whose time has come, recording each as an entry.
pub fn expire_due(transaction: &Connection, customer_id: &str, at: i64) -> Result<(), LedgerError> {
    let due: Vec<DueLot> = {
        let mut statement = transaction.prepare_cached(
            "SELECT id, balance_key, remaining, expires_at, subscription_id, reason FROM lots
             WHERE customer_id = ?1 AND expires_at IS NOT NULL AND expires_at <= ?2
               AND source != 'overdraft' AND empty = 0 AND remaining != '0'",
        )?;
        let rows = statement.query_map(params![customer_id, at], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, balance_key, remaining, expires_at, subscription_id, reason) in due {
        let remaining = decimal(&remaining)?;
        set_remaining(transaction, id, Decimal::ZERO)?;
        super::ledger::entry(
            transaction,
            &super::ledger::NewEntry {
                customer_id,
                at: expires_at,
                kind: "expire",
                balance_key: &balance_key,
                amount: -remaining,
                feature_id: None,
                units: None,
                reason: Some(if reason.as_deref() == Some(ROLLOVER) {
                    ROLLOVER_EXPIRED
                } else {
                    PERIOD_ENDED
                }),
                subscription_id,
                idempotency_key: None,
            },
        )?;
    }
    Ok(())
}

/// Starts a balance afresh for a plan attached with `reset_on_attach`: the units of an
/// allocated feature in use return to none, an overdraft is forgiven, and what earlier
/// plans included and is left ends. Purchased and gifted units stay (paid for, or given).
/// Each change is an entry, so the balance stays the sum of its entries.
pub fn start_afresh(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    at: i64,
    subscription_id: i64,
) -> Result<(), LedgerError> {
    let lots: Vec<(i64, String, String)> = {
        let mut statement = transaction.prepare_cached(
            "SELECT id, source, remaining FROM lots
             WHERE customer_id = ?1 AND balance_key = ?2 AND empty = 0 AND remaining != '0'
               AND source IN ('in_use', 'overdraft', 'included')
               AND (expires_at IS NULL OR expires_at > ?3)",
        )?;
        let rows = statement.query_map(params![customer_id, balance_key, at], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, source, remaining) in lots {
        let remaining = decimal(&remaining)?;
        let (kind, reason) = match Source::parse(&source)? {
            Source::InUse => (
                "reset",
                "the plan was attached: units in use start again from none",
            ),
            Source::Overdraft if remaining < Decimal::ZERO => {
                ("waived", "the plan was attached: the balance starts afresh")
            }
            Source::Included if remaining > Decimal::ZERO => (
                "expire",
                "the plan was attached: earlier plans' included units end",
            ),
            _ => continue,
        };
        set_remaining(transaction, id, Decimal::ZERO)?;
        super::ledger::entry(
            transaction,
            &super::ledger::NewEntry {
                customer_id,
                at,
                kind,
                balance_key,
                amount: -remaining,
                feature_id: None,
                units: None,
                reason: Some(reason),
                subscription_id: Some(subscription_id),
                idempotency_key: None,
            },
        )?;
    }
    Ok(())
}
