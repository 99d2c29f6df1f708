//! Usage from the local ledger: what its customers did, read as the records of a usage file
//! (docs/impact.md), customer by customer, each in the order the ledger performed it.
//!
//! Two sources are merged: the operations journal (the store's `operations` table: every
//! attach with the version it attached, quantity change, grant, entity created or deleted,
//! and the tracks whose entries do not say what was asked) and the usage entries of the other
//! tracks. A journaled operation remembers the last entry id written before it, which places
//! it among the usage entries, and the last it wrote, which leaves its own out (an entity's
//! unit in use, a journaled track's entries). What follows from these and the time alone
//! (renewals, bills for usage, expiries, auto top-ups, a scheduled downgrade taking effect) is
//! not read: a replay makes it again.
//!
//! Streamed: the customer ids are held, and a page of one customer's operations and of its
//! entries at a time, never the whole history.

use std::collections::VecDeque;

use rusqlite::params;
use rust_decimal::Decimal;

use super::usage::{UsageError, UsageRecord};
use crate::ledger::{Instant, Operation, Overage};
use crate::store::Store;

/// Rows read per query.
const PAGE: i64 = 4096;

/// The records of the ledger in `store` up to `until` (all when `None`).
pub fn ledger_usage(store: Store, until: Option<Instant>) -> Result<LedgerUsage, UsageError> {
    let location = store.location();
    let failed = |error: rusqlite::Error| UsageError {
        path: location.clone(),
        line: 0,
        message: format!("the ledger cannot be read: {error}"),
    };
    let customers = {
        let mut statement = store
            .connection()
            .prepare("SELECT id FROM customers ORDER BY id")
            .map_err(failed)?;
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(failed)?
            .collect::<Result<Vec<String>, _>>()
            .map_err(failed)?
    };
    Ok(LedgerUsage {
        store,
        location,
        until: until.map_or(i64::MAX, |until| until.0),
        customers: customers.into_iter(),
        current: None,
        pending: VecDeque::new(),
        failed: false,
    })
}

/// The iterator [`ledger_usage`] returns.
pub struct LedgerUsage {
    store: Store,
    location: String,
    until: i64,
    customers: std::vec::IntoIter<String>,
    /// The customer being read.
    current: Option<Cursor>,
    /// Records read, not yet returned.
    pending: VecDeque<UsageRecord>,
    /// A read failed: the error was returned, nothing follows.
    failed: bool,
}

/// A journaled operation, as read.
struct Journaled {
    entries_before: i64,
    entries_after: i64,
    record: Option<UsageRecord>,
}

/// A plain track's usage entry, as read.
struct UsageEntry {
    id: i64,
    record: Option<UsageRecord>,
}

/// How far one customer's records are read.
struct Cursor {
    customer: String,
    /// Operations read, not yet merged; `operations_after` the id of the last read.
    operations: VecDeque<Journaled>,
    operations_after: i64,
    operations_done: bool,
    /// Usage entries read, not yet merged; `entries_after` the id of the last read.
    entries: VecDeque<UsageEntry>,
    entries_after: i64,
    entries_done: bool,
    /// Entries up to this id were written by an operation already merged: not a track's.
    own_entries_until: i64,
}

impl Cursor {
    fn new(customer: String) -> Cursor {
        Cursor {
            customer,
            operations: VecDeque::new(),
            operations_after: 0,
            operations_done: false,
            entries: VecDeque::new(),
            entries_after: 0,
            entries_done: false,
            own_entries_until: 0,
        }
    }

    fn done(&self) -> bool {
        self.operations_done
            && self.entries_done
            && self.operations.is_empty()
            && self.entries.is_empty()
    }
}

impl Iterator for LedgerUsage {
    type Item = Result<UsageRecord, UsageError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.failed {
                return None;
            }
            if let Some(record) = self.pending.pop_front() {
                return Some(Ok(record));
            }
            let cursor = match self.current.take() {
                Some(cursor) => cursor,
                None => Cursor::new(self.customers.next()?),
            };
            match self.merge(cursor) {
                Ok(cursor) if cursor.done() => {}
                Ok(cursor) => self.current = Some(cursor),
                Err(error) => {
                    self.failed = true;
                    return Some(Err(UsageError {
                        path: self.location.clone(),
                        line: 0,
                        message: format!("the ledger cannot be read: {error}"),
                    }));
                }
            }
        }
    }
}

impl LedgerUsage {
    /// Moves a customer's next records to `pending`, in the order the ledger performed them,
    /// reading a page of either source when its buffer runs dry.
    fn merge(&mut self, mut cursor: Cursor) -> Result<Cursor, String> {
        if cursor.operations.is_empty() && !cursor.operations_done {
            self.read_operations(&mut cursor)?;
        }
        if cursor.entries.is_empty() && !cursor.entries_done {
            self.read_entries(&mut cursor)?;
        }
        loop {
            // An entry an operation wrote itself is not a track's; one written before the
            // next operation came before it.
            let entry_first = match (cursor.entries.front(), cursor.operations.front()) {
                (Some(entry), _) if entry.id <= cursor.own_entries_until => {
                    cursor.entries.pop_front();
                    continue;
                }
                (Some(entry), Some(operation)) => entry.id <= operation.entries_before,
                (Some(_), None) => cursor.operations_done,
                (None, Some(_)) => {
                    if !cursor.entries_done {
                        // The next page of entries may hold one that came first.
                        break;
                    }
                    false
                }
                (None, None) => break,
            };
            if entry_first {
                if let Some(entry) = cursor.entries.pop_front() {
                    self.pending.extend(entry.record);
                }
            } else if let Some(operation) = cursor.operations.pop_front() {
                cursor.own_entries_until = cursor.own_entries_until.max(operation.entries_after);
                self.pending.extend(operation.record);
            } else {
                // Entries remain and the next page of operations may hold one that came first.
                break;
            }
        }
        Ok(cursor)
    }

    /// The next page of the customer's journaled operations up to `until`.
    fn read_operations(&self, cursor: &mut Cursor) -> Result<(), String> {
        let mut statement = self
            .store
            .connection()
            .prepare_cached(
                "SELECT id, at, entries_before, entries_after, operation, version FROM operations
                 WHERE customer_id = ?1 AND id > ?2 AND at <= ?3
                 ORDER BY id LIMIT ?4",
            )
            .map_err(|error| error.to_string())?;
        let rows = statement
            .query_map(
                params![cursor.customer, cursor.operations_after, self.until, PAGE],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, Option<u32>>(5)?,
                    ))
                },
            )
            .map_err(|error| error.to_string())?;
        let mut read = 0;
        for row in rows {
            let (id, at, entries_before, entries_after, operation, version) =
                row.map_err(|error| error.to_string())?;
            read += 1;
            cursor.operations_after = id;
            let operation: Operation = serde_json::from_str(&operation).map_err(|error| {
                format!(
                    "customer `{}`: operation {id} is not an operation: {error}",
                    cursor.customer
                )
            })?;
            cursor.operations.push_back(Journaled {
                entries_before,
                entries_after,
                record: record_of(&cursor.customer, operation, version, Instant(at)),
            });
        }
        cursor.operations_done = read < PAGE;
        Ok(())
    }

    /// The next page of the customer's usage entries up to `until`: the plain tracks' (an
    /// entry without units is the rest of a track drawn from several entities).
    fn read_entries(&self, cursor: &mut Cursor) -> Result<(), String> {
        let mut statement = self
            .store
            .connection()
            .prepare_cached(
                "SELECT id, at, feature_id, units FROM entries
                 WHERE customer_id = ?1 AND id > ?2 AND kind = 'usage' AND at <= ?3
                 ORDER BY id LIMIT ?4",
            )
            .map_err(|error| error.to_string())?;
        let rows = statement
            .query_map(
                params![cursor.customer, cursor.entries_after, self.until, PAGE],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .map_err(|error| error.to_string())?;
        let mut read = 0;
        for row in rows {
            let (id, at, feature, units) = row.map_err(|error| error.to_string())?;
            read += 1;
            cursor.entries_after = id;
            let record = match (feature, units) {
                (Some(feature), Some(units)) => Some(UsageRecord::Use {
                    customer: cursor.customer.clone(),
                    feature,
                    value: decimal(&cursor.customer, &units)?,
                    entity: None,
                    capped: false,
                    at: Instant(at),
                }),
                _ => None,
            };
            cursor.entries.push_back(UsageEntry { id, record });
        }
        cursor.entries_done = read < PAGE;
        Ok(())
    }
}

/// The record of a journaled operation (`None` for one that changes no charge or balance).
fn record_of(
    customer: &str,
    operation: Operation,
    version: Option<u32>,
    at: Instant,
) -> Option<UsageRecord> {
    let customer = customer.to_string();
    match operation {
        Operation::Attach(request) => Some(UsageRecord::Subscribe {
            customer,
            plan: request.plan_id,
            version,
            prepaid: request.quantities,
            at,
        }),
        Operation::SetQuantity(request) => Some(UsageRecord::SetQuantity {
            customer,
            plan: request.plan_id,
            quantities: request.quantities,
            at,
        }),
        Operation::Track(request) => Some(UsageRecord::Use {
            customer,
            feature: request.feature_id,
            value: request.value,
            entity: request.entity_id,
            capped: request.overage == Overage::Cap,
            at,
        }),
        Operation::Grant(request) => Some(UsageRecord::Grant {
            customer,
            feature: request.feature_id,
            amount: request.amount,
            expires: request.expires_at.map(Instant),
            at,
        }),
        Operation::CreateEntity(request) => Some(UsageRecord::CreateEntity {
            customer,
            entity: request.entity_id,
            feature: request.feature_id,
            at,
        }),
        Operation::SetAutoTopUp(request) => Some(UsageRecord::AutoTopUp {
            customer,
            switches: request.switches,
            at,
        }),
        Operation::DeleteEntity { entity_id, .. } => Some(UsageRecord::DeleteEntity {
            customer,
            entity: entity_id,
            at,
        }),
        Operation::CreateCustomer { .. }
        | Operation::GetOrCreateCustomer { .. }
        | Operation::GetCustomer { .. }
        | Operation::Check(_)
        | Operation::GetEntity { .. }
        | Operation::Balance { .. }
        | Operation::History { .. }
        | Operation::Advance { .. } => None,
    }
}

fn decimal(customer: &str, text: &str) -> Result<Decimal, String> {
    Decimal::from_str_exact(text)
        .map_err(|error| format!("customer `{customer}`: `{text}` is not a decimal: {error}"))
}
