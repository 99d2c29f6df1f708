//! Usage from the local ledger: its customers' subscriptions and tracked events, read as the
//! records of a usage file (docs/impact.md), customer by customer, each in time order.
//!
//! Streamed: the customer ids are held, one customer's subscriptions, and a page of its
//! events at a time, never the whole history.

use std::collections::{BTreeMap, VecDeque};

use rusqlite::params;
use rust_decimal::Decimal;

use super::usage::{UsageError, UsageRecord};
use crate::ledger::Instant;
use crate::store::Store;

/// Events read per query.
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

/// How far one customer's records are read.
struct Cursor {
    customer: String,
    /// Its subscriptions not yet returned, oldest first.
    subscriptions: VecDeque<UsageRecord>,
    /// The id of the last event read.
    after: i64,
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
            let read = if let Some(cursor) = self.current.take() {
                self.read_page(cursor)
            } else {
                let customer = self.customers.next()?;
                self.subscriptions(&customer).map(|subscriptions| Cursor {
                    customer,
                    subscriptions,
                    after: 0,
                })
            };
            match read {
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
            if let Some(cursor) = &self.current
                && cursor.after < 0
            {
                self.current = None;
            }
        }
    }
}

impl LedgerUsage {
    /// A customer's subscriptions started by `until`, oldest first: each a subscription
    /// record with the version it is on and the prepaid quantities it holds.
    fn subscriptions(&self, customer: &str) -> Result<VecDeque<UsageRecord>, String> {
        let mut statement = self
            .store
            .connection()
            .prepare_cached(
                "SELECT plan_id, version, started_at, quantities FROM subscriptions
                 WHERE customer_id = ?1 AND started_at <= ?2 ORDER BY started_at, id",
            )
            .map_err(|error| error.to_string())?;
        let rows = statement
            .query_map(params![customer, self.until], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, u32>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .map_err(|error| error.to_string())?;
        let mut subscriptions = VecDeque::new();
        for row in rows {
            let (plan, version, started_at, quantities) = row.map_err(|error| error.to_string())?;
            let quantities: BTreeMap<String, String> = serde_json::from_str(&quantities)
                .map_err(|error| format!("customer `{customer}`: quantities: {error}"))?;
            let prepaid = quantities
                .into_iter()
                .map(|(item, quantity)| Ok((item, decimal(customer, &quantity)?)))
                .collect::<Result<_, String>>()?;
            subscriptions.push_back(UsageRecord::Subscribe {
                customer: customer.to_string(),
                plan,
                version: Some(version),
                prepaid,
                at: Instant(started_at),
            });
        }
        Ok(subscriptions)
    }

    /// The next page of a customer's tracked events, with its subscriptions merged in by
    /// time (a subscription first at the same instant: what is used was granted first). When
    /// its events are all read, its last subscriptions follow and `after` is set below zero.
    fn read_page(&mut self, mut cursor: Cursor) -> Result<Cursor, String> {
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
                params![cursor.customer, cursor.after, self.until, PAGE],
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
            cursor.after = id;
            let (Some(feature), Some(units)) = (feature, units) else {
                continue;
            };
            while cursor
                .subscriptions
                .front()
                .is_some_and(|subscription| subscription.at().0 <= at)
            {
                self.pending.extend(cursor.subscriptions.pop_front());
            }
            self.pending.push_back(UsageRecord::Use {
                customer: cursor.customer.clone(),
                feature,
                value: decimal(&cursor.customer, &units)?,
                at: Instant(at),
            });
        }
        if read < PAGE {
            self.pending.extend(cursor.subscriptions.drain(..));
            cursor.after = -1;
        }
        Ok(cursor)
    }
}

fn decimal(customer: &str, text: &str) -> Result<Decimal, String> {
    Decimal::from_str_exact(text)
        .map_err(|error| format!("customer `{customer}`: `{text}` is not a decimal: {error}"))
}
