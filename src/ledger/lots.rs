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
//!
//! A lot with an entity is that entity's (an item held per entity, `per_entity`); one without
//! is the customer's. What an entity may use is its own lots and the customer's; what the
//! customer may use is every lot of the balance (Autumn sums a customer's balance over its
//! entities, `getTotalBalance.lua`).

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
    /// The entity holding the lot; `None`: the customer.
    pub entity_id: Option<String>,
    pub source: Source,
    pub granted: Decimal,
    pub remaining: Decimal,
    pub expires_at: Option<i64>,
    pub reason: Option<String>,
}

/// What a new lot is.
#[derive(Clone, Copy)]
pub struct NewLot<'a> {
    pub customer_id: &'a str,
    pub balance_key: &'a str,
    /// The entity the lot is granted to; `None`: the customer.
    pub entity_id: Option<&'a str>,
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

/// The lots of a balance in force at `at` that `entity` may use (the customer's and that
/// entity's; every lot of the balance for `None`), in draw order (overdraft last).
pub fn active_lots(
    connection: &rusqlite::Connection,
    customer_id: &str,
    balance_key: &str,
    entity: Option<&str>,
    at: i64,
) -> Result<Vec<Lot>, LedgerError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, source, granted, remaining, expires_at, reason, entity_id FROM lots
         WHERE customer_id = ?1 AND balance_key = ?2 AND starts_at <= ?3
           AND (expires_at IS NULL OR expires_at > ?3) AND empty = 0 AND remaining != '0'
           AND (?4 IS NULL OR entity_id IS NULL OR entity_id = ?4)",
    )?;
    let rows = statement.query_map(params![customer_id, balance_key, at, entity], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<i64>>(4)?,
            row.get::<_, Option<String>>(5)?,
            row.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut lots = Vec::new();
    for row in rows {
        let (id, source, granted, remaining, expires_at, reason, entity_id) = row?;
        let lot = Lot {
            id,
            entity_id,
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
    lots.sort_by(|a, b| draw_rank(a).cmp(&draw_rank(b)));
    Ok(lots)
}

/// Expiring lots by expiry, then included, purchased, gifted; overdraft and units in use last;
/// ties: the customer's lots first, then entities' by entity id (Autumn draws a customer's
/// usage from its entities in the order of their ids, `sorted_keys` in
/// `deductFromMainBalanceV2.lua`), then by age.
fn draw_rank(lot: &Lot) -> (u8, i64, Source, Option<&str>, i64) {
    let entity = lot.entity_id.as_deref();
    match (lot.source, lot.expires_at) {
        (Source::Overdraft | Source::InUse, _) => (2, 0, lot.source, entity, lot.id),
        (_, Some(expires_at)) => (0, expires_at, lot.source, entity, lot.id),
        (source, None) => (1, 0, source, entity, lot.id),
    }
}

/// The balance `entity` may use (every lot of it for `None`): the sum of the lots in force.
pub fn balance(
    connection: &rusqlite::Connection,
    customer_id: &str,
    balance_key: &str,
    entity: Option<&str>,
    at: i64,
) -> Result<(Decimal, Vec<Lot>), LedgerError> {
    let lots = active_lots(connection, customer_id, balance_key, entity, at)?;
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

/// Who draws: the lots usage may take (`entity`'s and the customer's; every lot of the balance
/// for `None`), and whose overdraft takes what they do not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawer {
    pub entity: Option<String>,
    pub overdraft_to: Option<String>,
}

impl Drawer {
    /// The customer, for a balance not held per entity.
    pub const CUSTOMER: Drawer = Drawer {
        entity: None,
        overdraft_to: None,
    };

    /// One entity: its lots and the customer's, and its own overdraft.
    pub fn entity(entity: &str) -> Self {
        Drawer {
            entity: Some(entity.to_string()),
            overdraft_to: Some(entity.to_string()),
        }
    }
}

/// What a draw did: the balance after (of what the drawer may use), and what it took from
/// each holder (the customer, `None`, or an entity), in the order it took it.
pub struct Drawn {
    pub after: Decimal,
    pub taken: Vec<(Option<String>, Decimal)>,
}

impl Drawn {
    fn take(&mut self, holder: Option<&str>, amount: Decimal) -> Result<(), LedgerError> {
        match self
            .taken
            .iter_mut()
            .find(|(taker, _)| taker.as_deref() == holder)
        {
            Some((_, total)) => *total = exact::add(*total, amount)?,
            None => self.taken.push((holder.map(str::to_string), amount)),
        }
        Ok(())
    }
}

/// Deducts `amount` from a balance in draw order; what no lot covers goes to the drawer's
/// overdraft. `lots` are the lots the drawer may use in force at `at`, as [`balance`] read them
/// in this transaction (the caller needed them already: read once, not twice).
pub fn draw(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    drawer: &Drawer,
    lots: &[Lot],
    amount: Decimal,
    at: i64,
) -> Result<Drawn, LedgerError> {
    let mut left = amount;
    let overdraft_to = drawer.overdraft_to.as_deref();
    let mut drawn = Drawn {
        after: exact::sub(sum(lots)?, amount)?,
        taken: Vec::new(),
    };
    let mut overdraft = None;
    for lot in lots {
        if lot.source == Source::Overdraft {
            if lot.entity_id.as_deref() == overdraft_to {
                overdraft = Some(lot.clone());
            }
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
        drawn.take(lot.entity_id.as_deref(), taken)?;
        left = exact::sub(left, taken)?;
    }
    if left > Decimal::ZERO {
        drawn.take(overdraft_to, left)?;
        overdraw(
            transaction,
            customer_id,
            balance_key,
            overdraft_to,
            left,
            at,
            overdraft,
        )?;
    }
    Ok(drawn)
}

/// Puts `left` units that no lot covers on the overdraft `holder` holds of the balance (the
/// customer for `None`; `known`: that overdraft lot, when the caller read it already).
fn overdraw(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    holder: Option<&str>,
    left: Decimal,
    at: i64,
    known: Option<Lot>,
) -> Result<(), LedgerError> {
    let overdraft = match known {
        Some(lot) => Some(lot),
        None => find_overdraft(transaction, customer_id, balance_key, holder)?,
    };
    match overdraft {
        Some(lot) => set_remaining(transaction, lot.id, exact::sub(lot.remaining, left)?)?,
        None => insert_below_zero(
            transaction,
            (customer_id, balance_key, holder),
            Source::Overdraft,
            left,
            at,
        )?,
    }
    Ok(())
}

/// A lot that grants nothing and stands `units` below zero, held by `holder`'s entity (the
/// customer for `None`): an overdraft, or the units of an allocated feature in use.
fn insert_below_zero(
    transaction: &Connection,
    (customer_id, balance_key, holder): (&str, &str, Option<&str>),
    source: Source,
    units: Decimal,
    at: i64,
) -> Result<(), LedgerError> {
    transaction
        .prepare_cached(
            "INSERT INTO lots (customer_id, balance_key, source, granted, remaining, starts_at, empty, entity_id)
             VALUES (?1, ?2, ?3, '0', ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            customer_id,
            balance_key,
            source.as_str(),
            text(-units),
            at,
            units.is_zero(),
            holder
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
        overdraw(transaction, customer_id, balance_key, None, left, at, None)?;
    }
    Ok(())
}

/// The overdraft lot of a balance held by `entity` (the customer for `None`), whatever its
/// amount (an overdraft never expires).
fn find_overdraft(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    entity: Option<&str>,
) -> Result<Option<Lot>, LedgerError> {
    let row: Option<(i64, String)> = transaction
        .prepare_cached(
            "SELECT id, remaining FROM lots WHERE customer_id = ?1 AND balance_key = ?2 AND source = 'overdraft' AND entity_id IS ?3",
        )?
        .query_row(params![customer_id, balance_key, entity], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    row.map(|(id, remaining)| {
        Ok(Lot {
            id,
            entity_id: entity.map(str::to_string),
            source: Source::Overdraft,
            granted: Decimal::ZERO,
            remaining: decimal(&remaining)?,
            expires_at: None,
            reason: None,
        })
    })
    .transpose()
}

/// Changes the level of an allocated feature held by `entity` (the customer for `None`) by
/// `amount` (positive allocates, negative releases); returns the balance after. Releasing more
/// than is in use is refused.
pub fn allocate(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    entity: Option<&str>,
    amount: Decimal,
    at: i64,
) -> Result<Decimal, LedgerError> {
    let lots = active_lots(transaction, customer_id, balance_key, entity, at)?;
    let after = exact::sub(sum(&lots)?, amount)?;
    // Units in use are released back up to what was allocated, never beyond.
    let row: Option<(i64, String)> = transaction
        .prepare_cached(
            "SELECT id, remaining FROM lots WHERE customer_id = ?1 AND balance_key = ?2 AND source = 'in_use' AND entity_id IS ?3",
        )?
        .query_row(params![customer_id, balance_key, entity], |row| Ok((row.get(0)?, row.get(1)?)))
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
            (customer_id, balance_key, entity),
            Source::InUse,
            level,
            at,
        )?,
    }
    Ok(after)
}

/// The units of an allocated balance in use, by holder (the customer, `None`, or an entity);
/// empty for a balance that is not allocated (no unit of it was ever in use).
pub fn in_use(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
) -> Result<Vec<(Option<String>, Decimal)>, LedgerError> {
    minus_remaining(transaction, customer_id, balance_key, Source::InUse)
}

/// A balance's overdrafts with something owed, by holder (the customer, `None`, or an entity),
/// entity ids in order: what each owes, as a positive number.
pub fn overdrafts(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
) -> Result<Vec<(Option<String>, Decimal)>, LedgerError> {
    let mut owed = minus_remaining(transaction, customer_id, balance_key, Source::Overdraft)?;
    owed.retain(|(_, units)| *units > Decimal::ZERO);
    owed.sort();
    Ok(owed)
}

/// Minus what is left of each lot of a balance from `source` (units in use, or owed), by
/// holder.
fn minus_remaining(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    source: Source,
) -> Result<Vec<(Option<String>, Decimal)>, LedgerError> {
    let rows: Vec<(Option<String>, String)> = transaction
        .prepare_cached(
            "SELECT entity_id, remaining FROM lots WHERE customer_id = ?1 AND balance_key = ?2 AND source = ?3",
        )?
        .query_map(params![customer_id, balance_key, source.as_str()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(holder, remaining)| Ok((holder, -decimal(&remaining)?)))
        .collect()
}

/// The units a balance owes, every holder's together (its overdrafts, as a positive number).
pub fn owed(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
) -> Result<Decimal, LedgerError> {
    exact::sum(
        overdrafts(transaction, customer_id, balance_key)?
            .into_iter()
            .map(|(_, units)| units),
    )
}

/// Clears `amount` of the overdraft `entity` (the customer for `None`) holds (it was billed or
/// paid off).
pub fn settle_overdraft(
    transaction: &Connection,
    customer_id: &str,
    balance_key: &str,
    entity: Option<&str>,
    amount: Decimal,
) -> Result<(), LedgerError> {
    if let Some(lot) = find_overdraft(transaction, customer_id, balance_key, entity)? {
        set_remaining(transaction, lot.id, exact::add(lot.remaining, amount)?)?;
    }
    Ok(())
}

/// Adds a lot; it pays off its holder's overdraft of the balance first.
pub fn add_lot(transaction: &Connection, lot: &NewLot<'_>) -> Result<i64, LedgerError> {
    let owed_now = find_overdraft(transaction, lot.customer_id, lot.balance_key, lot.entity_id)?
        .map_or(Decimal::ZERO, |overdraft| {
            (-overdraft.remaining).max(Decimal::ZERO)
        });
    let paid = owed_now.min(lot.amount);
    if paid > Decimal::ZERO {
        settle_overdraft(
            transaction,
            lot.customer_id,
            lot.balance_key,
            lot.entity_id,
            paid,
        )?;
    }
    let remaining = exact::sub(lot.amount, paid)?;
    transaction
        .prepare_cached(
            "INSERT INTO lots (customer_id, balance_key, source, granted, remaining, starts_at, expires_at, subscription_id, reason, empty, entity_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
            lot.entity_id,
        ])?;
    Ok(transaction.last_insert_rowid())
}

/// The reason of a lot of rolled-over units.
pub const ROLLOVER: &str = "rollover";
/// The reason of the entry that expires a lot at the end of its period.
pub const PERIOD_ENDED: &str = "the period ended; included and period-bound units do not roll over";
/// The reason of the entry that expires rolled-over units.
const ROLLOVER_EXPIRED: &str = "rolled-over units expired";

/// Expires what is left of the lots whose time has come, recording each as an entry.
pub fn expire_due(transaction: &Connection, customer_id: &str, at: i64) -> Result<(), LedgerError> {
    /// A lot whose time has come.
    struct Due {
        id: i64,
        balance_key: String,
        remaining: String,
        expires_at: i64,
        subscription_id: Option<i64>,
        reason: Option<String>,
        entity_id: Option<String>,
    }
    let due: Vec<Due> = {
        let mut statement = transaction.prepare_cached(
            "SELECT id, balance_key, remaining, expires_at, subscription_id, reason, entity_id FROM lots
             WHERE customer_id = ?1 AND expires_at IS NOT NULL AND expires_at <= ?2
               AND source != 'overdraft' AND empty = 0 AND remaining != '0'",
        )?;
        let rows = statement.query_map(params![customer_id, at], |row| {
            Ok(Due {
                id: row.get(0)?,
                balance_key: row.get(1)?,
                remaining: row.get(2)?,
                expires_at: row.get(3)?,
                subscription_id: row.get(4)?,
                reason: row.get(5)?,
                entity_id: row.get(6)?,
            })
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for lot in due {
        let remaining = decimal(&lot.remaining)?;
        set_remaining(transaction, lot.id, Decimal::ZERO)?;
        super::ledger::entry(
            transaction,
            &super::ledger::NewEntry {
                customer_id,
                at: lot.expires_at,
                kind: "expire",
                balance_key: &lot.balance_key,
                amount: -remaining,
                feature_id: None,
                units: None,
                reason: Some(if lot.reason.as_deref() == Some(ROLLOVER) {
                    ROLLOVER_EXPIRED
                } else {
                    PERIOD_ENDED
                }),
                subscription_id: lot.subscription_id,
                idempotency_key: None,
                entity_id: lot.entity_id.as_deref(),
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
    let lots = lots_left(
        transaction,
        "SELECT id, balance_key, source, remaining, entity_id FROM lots
         WHERE customer_id = ?1 AND balance_key = ?2 AND empty = 0 AND remaining != '0'
           AND source IN ('in_use', 'overdraft', 'included')
           AND (expires_at IS NULL OR expires_at > ?3)",
        params![customer_id, balance_key, at],
    )?;
    write_off(
        transaction,
        customer_id,
        at,
        Some(subscription_id),
        lots,
        |source, remaining| match source {
            Source::InUse => Some((
                "reset",
                "the plan was attached: units in use start again from none",
            )),
            Source::Overdraft if remaining < Decimal::ZERO => {
                Some(("waived", "the plan was attached: the balance starts afresh"))
            }
            Source::Included if remaining > Decimal::ZERO => Some((
                "expire",
                "the plan was attached: earlier plans' included units end",
            )),
            _ => None,
        },
    )
}

/// Ends every lot a deleted entity holds, each with its entry: what it had left expires, what
/// it owed is waived and its units in use return to none (Autumn drops a deleted entity's
/// balances with it, `deleteEntityFromCusEnt`).
pub fn end_entity_lots(
    transaction: &Connection,
    customer_id: &str,
    entity_id: &str,
    at: i64,
) -> Result<(), LedgerError> {
    let lots = lots_left(
        transaction,
        "SELECT id, balance_key, source, remaining, entity_id FROM lots
         WHERE customer_id = ?1 AND entity_id = ?2 AND empty = 0 AND remaining != '0'
           AND (expires_at IS NULL OR expires_at > ?3)",
        params![customer_id, entity_id, at],
    )?;
    write_off(transaction, customer_id, at, None, lots, |source, _| {
        Some(match source {
            Source::InUse => ("reset", "the entity was deleted"),
            Source::Overdraft => ("waived", "the entity was deleted"),
            Source::Included | Source::Purchased | Source::Gifted => {
                ("expire", "the entity was deleted")
            }
        })
    })
}

/// A lot with something left, as [`write_off`] takes it.
struct LotLeft {
    id: i64,
    balance_key: String,
    source: Source,
    remaining: Decimal,
    entity_id: Option<String>,
}

fn lots_left(
    transaction: &Connection,
    query: &str,
    arguments: impl rusqlite::Params,
) -> Result<Vec<LotLeft>, LedgerError> {
    let rows: Vec<(i64, String, String, String, Option<String>)> = transaction
        .prepare_cached(query)?
        .query_map(arguments, |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, balance_key, source, remaining, entity_id)| {
            Ok(LotLeft {
                id,
                balance_key,
                source: Source::parse(&source)?,
                remaining: decimal(&remaining)?,
                entity_id,
            })
        })
        .collect()
}

/// Brings each lot to nothing that `why` gives an entry kind and a reason for, recording the
/// entry, so every balance stays the sum of its entries.
fn write_off(
    transaction: &Connection,
    customer_id: &str,
    at: i64,
    subscription_id: Option<i64>,
    lots: Vec<LotLeft>,
    why: impl Fn(Source, Decimal) -> Option<(&'static str, &'static str)>,
) -> Result<(), LedgerError> {
    for lot in lots {
        let Some((kind, reason)) = why(lot.source, lot.remaining) else {
            continue;
        };
        set_remaining(transaction, lot.id, Decimal::ZERO)?;
        super::ledger::entry(
            transaction,
            &super::ledger::NewEntry {
                customer_id,
                at,
                kind,
                balance_key: &lot.balance_key,
                amount: -lot.remaining,
                feature_id: None,
                units: None,
                reason: Some(reason),
                subscription_id,
                idempotency_key: None,
                entity_id: lot.entity_id.as_deref(),
            },
        )?;
    }
    Ok(())
}
