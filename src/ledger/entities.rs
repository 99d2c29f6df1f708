//! Entities: the seats, workspaces… of a customer, each one unit of an allocated feature in
//! use, each holding its own balance of every item held per entity of that feature
//! (`per_entity`). See docs/ledger.md, "Entities".
//!
//! This is Autumn's model of an item with an `entity_feature_id`: creating an entity uses one
//! unit of its feature and gives it the item's included units (`createEntityForCusProduct`);
//! attaching a plan gives each existing entity the item's grant
//! (`initCustomerEntitlementEntities`); a reset renews each entity's balance; deleting an entity
//! releases its unit and drops its balances (`deleteEntity`).

use std::convert::Infallible;

use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

use super::catalog::LedgerCatalog;
use super::clock::Instant;
use super::entitlement::Resolution;
use super::error::LedgerError;
use super::journal::{self, Performed};
use super::ledger::{
    Ledger, NewEntry, active_plans, active_subscriptions, balance_view, catch_up_customer, entry,
    nothing_first, require_customer,
};
use super::lots::{Drawer, NewLot, Source, add_lot, allocate, end_entity_lots, in_use};
use super::model::{BalanceView, CreateEntityRequest, EntitySummary, EntityView};
use super::operation::Operation;
use super::renewal::Renewal;
use crate::catalog::{Catalog, FeatureType, Included, PlanItem};

/// A live entity of a customer.
pub struct Entity {
    pub id: String,
    pub feature_id: String,
    pub name: Option<String>,
    pub created_at: i64,
}

impl Entity {
    /// The entity as operations answer it.
    fn view(
        self,
        customer_id: &str,
        deleted_at: Option<Instant>,
        balances: Vec<BalanceView>,
    ) -> EntityView {
        EntityView {
            id: self.id,
            customer_id: customer_id.to_string(),
            feature_id: self.feature_id,
            name: self.name,
            created_at: Instant(self.created_at).to_string(),
            deleted_at: deleted_at.map(|at| at.to_string()),
            balances,
        }
    }
}

/// The live entity `entity_id` of a customer, if any.
pub fn live_entity(
    connection: &Connection,
    customer_id: &str,
    entity_id: &str,
) -> Result<Option<Entity>, LedgerError> {
    Ok(connection
        .prepare_cached(
            "SELECT id, feature_id, name, created_at FROM entities
             WHERE customer_id = ?1 AND id = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![customer_id, entity_id], |row| {
            Ok(Entity {
                id: row.get(0)?,
                feature_id: row.get(1)?,
                name: row.get(2)?,
                created_at: row.get(3)?,
            })
        })
        .optional()?)
}

/// The ids of a customer's live entities of `feature_id` (all of them for `None`), in order.
pub fn entity_ids(
    connection: &Connection,
    customer_id: &str,
    feature_id: &str,
) -> Result<Vec<String>, LedgerError> {
    let mut ids: Vec<String> = connection
        .prepare_cached(
            "SELECT id FROM entities WHERE customer_id = ?1 AND feature_id = ?2 AND deleted_at IS NULL",
        )?
        .query_map(params![customer_id, feature_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    ids.sort();
    Ok(ids)
}

/// A customer's live entities, by id (as `customer show` lists them).
pub fn entity_summaries(
    connection: &Connection,
    customer_id: &str,
) -> Result<Vec<EntitySummary>, LedgerError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, feature_id, name, created_at FROM entities WHERE customer_id = ?1 AND deleted_at IS NULL",
    )?;
    let mut entities: Vec<EntitySummary> = statement
        .query_map([customer_id], |row| {
            Ok(EntitySummary {
                id: row.get(0)?,
                feature_id: row.get(1)?,
                name: row.get(2)?,
                created_at: Instant(row.get(3)?).to_string(),
            })
        })?
        .collect::<Result<_, _>>()?;
    entities.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(entities)
}

/// A live entity of some customer, as `entities.list` pages them. `row` is the store's key of
/// the entity: an id may be used again once its entity is deleted, a row never.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEntity {
    pub row: i64,
    pub customer_id: String,
    pub id: String,
    pub name: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl Ledger {
    /// Every live entity, or a customer's, the newest first: by creation time, then by row
    /// (Autumn's `ORDER BY e.created_at DESC, e.id DESC`, `cursorListEntitiesQuery.ts`).
    pub fn live_entities(
        &self,
        customer_id: Option<&str>,
    ) -> Result<Vec<ListedEntity>, LedgerError> {
        let (connection, _) = self.read_parts();
        let mut statement = connection.prepare_cached(
            "SELECT row_id, customer_id, id, name, created_at FROM entities
             WHERE deleted_at IS NULL AND (?1 IS NULL OR customer_id = ?1)
             ORDER BY created_at DESC, row_id DESC",
        )?;
        let entities = statement
            .query_map([customer_id], |row| {
                Ok(ListedEntity {
                    row: row.get(0)?,
                    customer_id: row.get(1)?,
                    id: row.get(2)?,
                    name: row.get(3)?,
                    created_at: row.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(entities)
    }
}

/// Who holds an item's grants: the customer (`[None]`), or each live entity of the item's
/// `per_entity` feature (none yet: nothing is granted until one is created).
pub fn holders(
    connection: &Connection,
    customer_id: &str,
    item: &PlanItem,
) -> Result<Vec<Option<String>>, LedgerError> {
    match &item.per_entity {
        None => Ok(vec![None]),
        Some(feature_id) => Ok(entity_ids(connection, customer_id, feature_id)?
            .into_iter()
            .map(Some)
            .collect()),
    }
}

/// Grants `lot` (its `entity_id` aside) to each of `holders`, with its entry of `kind`.
pub fn grant_to(
    transaction: &Connection,
    holders: &[Option<String>],
    lot: &NewLot<'_>,
    kind: &str,
    reason: Option<&str>,
) -> Result<(), LedgerError> {
    for holder in holders {
        add_lot(
            transaction,
            &NewLot {
                entity_id: holder.as_deref(),
                ..*lot
            },
        )?;
        entry(
            transaction,
            &NewEntry {
                customer_id: lot.customer_id,
                at: lot.starts_at,
                kind,
                balance_key: lot.balance_key,
                amount: lot.amount,
                feature_id: None,
                units: None,
                reason,
                subscription_id: lot.subscription_id,
                idempotency_key: None,
                entity_id: holder.as_deref(),
            },
        )?;
    }
    Ok(())
}

/// What usage of `feature_id` draws, given the entity named (if any), for `track`
/// (`for_usage`) or `check`:
///
/// - a balance held per customer with no entity: the customer's (no query: the hot path of a
///   customer without entities is unchanged);
/// - an entity named for a balance held per customer: refused, naming it;
/// - an entity named for a balance held per entity: that entity's lots and the customer's; the
///   entity must exist and be one of the item's `per_entity` feature;
/// - no entity for a balance held per entity: every lot of it (Autumn's customer-level check
///   sums its entities, `getTotalBalance.lua`, and a customer-level track draws from them in
///   the order of their ids, `deductFromMainBalanceV2.lua`), what they do not cover owed by the
///   first entity. Usage needs an entity to belong to: refused when the customer has none of
///   that feature, and for an allocated feature (a level is one entity's).
pub fn drawer_for(
    connection: &Connection,
    customer_id: &str,
    feature_id: &str,
    resolution: &Resolution,
    entity: Option<&str>,
    usage: Option<Allocation>,
) -> Result<Drawer, LedgerError> {
    match (&resolution.per_entity, entity) {
        (None, None) => Ok(Drawer::CUSTOMER),
        (None, Some(entity)) => {
            require_entity(connection, customer_id, entity)?;
            Err(LedgerError::NotPerEntity {
                feature: feature_id.to_string(),
                entity: entity.to_string(),
            })
        }
        (Some(per), Some(entity)) => {
            let found = require_entity(connection, customer_id, entity)?;
            if &found.feature_id != per {
                return Err(LedgerError::WrongEntity {
                    entity: entity.to_string(),
                    entity_feature: found.feature_id,
                    feature: feature_id.to_string(),
                    per: per.clone(),
                });
            }
            Ok(Drawer::entity(entity))
        }
        (Some(per), None) => {
            let Some(usage) = usage else {
                return Ok(Drawer::CUSTOMER);
            };
            let required = |reason: String| LedgerError::EntityRequired {
                feature: feature_id.to_string(),
                per: per.clone(),
                reason,
            };
            if usage == Allocation::Allocated {
                return Err(required(format!(
                    "units in use are held by one entity: name it (`--entity ID`, one of `{customer_id}`'s `{per}`)"
                )));
            }
            let first = entity_ids(connection, customer_id, per)?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    required(format!(
                        "`{customer_id}` has no entity of `{per}` for the usage to belong to"
                    ))
                })?;
            Ok(Drawer {
                entity: None,
                overdraft_to: Some(first),
            })
        }
    }
}

/// What kind of usage a `track` records (for [`drawer_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocation {
    /// Used up (requests, tokens).
    Consumed,
    /// A level of units in use (seats, projects).
    Allocated,
}

fn require_entity(
    connection: &Connection,
    customer_id: &str,
    entity_id: &str,
) -> Result<Entity, LedgerError> {
    live_entity(connection, customer_id, entity_id)?.ok_or_else(|| LedgerError::UnknownEntity {
        customer: customer_id.to_string(),
        entity: entity_id.to_string(),
    })
}

impl Ledger {
    /// Creates an entity of a customer: one unit of its feature goes into use, and the entity
    /// is granted the included units of every item of the customer's plans held per entity of
    /// that feature, until the item's next reset (Autumn gives a new entity the item's
    /// allowance, not a bought quantity, `createEntityForCusProduct`).
    pub fn create_entity(
        &mut self,
        request: &CreateEntityRequest,
        at: Instant,
    ) -> Result<EntityView, LedgerError> {
        let customer_id = request.customer_id.as_str();
        let entity_id = request.entity_id.as_str();
        let (transaction, context) = self.begin_write_transaction()?;
        let LedgerCatalog {
            catalog, versions, ..
        } = context;
        catch_up_customer(&transaction, context, customer_id, at, || {
            entity_feature(catalog, &request.feature_id).map(|()| None::<Infallible>)
        })?;
        if live_entity(&transaction, customer_id, entity_id)?.is_some() {
            return Err(LedgerError::EntityExists {
                customer: customer_id.to_string(),
                entity: entity_id.to_string(),
            });
        }
        transaction
            .prepare_cached(
                "INSERT INTO entities (customer_id, id, feature_id, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                customer_id,
                entity_id,
                request.feature_id,
                request.name,
                at.0
            ])?;
        let entries_before = journal::last_entry(&transaction)?;
        let reason = format!("in use by the new entity `{entity_id}`");
        change_level(
            &transaction,
            customer_id,
            &request.feature_id,
            Decimal::ONE,
            &reason,
            at,
        )?;
        for (subscription_id, plan_id, version) in active_subscriptions(&transaction, customer_id)?
        {
            let Some(plan) = versions.get(&(plan_id, version)) else {
                continue;
            };
            for (item_id, item) in &plan.items {
                let Included::Units(units) = item.included else {
                    continue;
                };
                if item.per_entity.as_deref() != Some(request.feature_id.as_str())
                    || units <= Decimal::ZERO
                {
                    continue;
                }
                // Until the item's next reset, when the renewal grants every entity again.
                let expires_at: Option<i64> = transaction
                    .prepare_cached(
                        "SELECT next_at FROM renewals WHERE subscription_id = ?1 AND item = ?2",
                    )?
                    .query_row(
                        params![subscription_id, Renewal::Included.key(item_id)],
                        |row| row.get(0),
                    )
                    .optional()?;
                grant_to(
                    &transaction,
                    &[Some(entity_id.to_string())],
                    &NewLot {
                        customer_id,
                        balance_key: item_id,
                        entity_id: None,
                        source: Source::Included,
                        amount: units,
                        starts_at: at.0,
                        expires_at,
                        subscription_id: Some(subscription_id),
                        reason: None,
                    },
                    "included",
                    None,
                )?;
            }
        }
        journal::record(
            &transaction,
            &Performed {
                customer_id,
                at: at.0,
                entries_before,
                operation: Operation::CreateEntity(request.clone()),
                version: None,
            },
        )?;
        transaction.commit()?;
        self.entity(customer_id, entity_id, at)
    }

    /// Deletes an entity: its unit of the feature is released and what it holds of its own
    /// ends (left units expire, what it owed is waived). Its id may be used again.
    pub fn delete_entity(
        &mut self,
        customer_id: &str,
        entity_id: &str,
        at: Instant,
    ) -> Result<EntityView, LedgerError> {
        let (transaction, context) = self.begin_write_transaction()?;
        catch_up_customer(&transaction, context, customer_id, at, nothing_first)?;
        let entity = require_entity(&transaction, customer_id, entity_id)?;
        let entries_before = journal::last_entry(&transaction)?;
        end_entity_lots(&transaction, customer_id, entity_id, at.0)?;
        // The unit the entity held is released, unless a track released it already.
        let held = in_use(&transaction, customer_id, &entity.feature_id)?
            .into_iter()
            .find(|(holder, _)| holder.is_none())
            .map_or(Decimal::ZERO, |(_, level)| level);
        if held >= Decimal::ONE {
            change_level(
                &transaction,
                customer_id,
                &entity.feature_id,
                Decimal::NEGATIVE_ONE,
                &format!("released: the entity `{entity_id}` was deleted"),
                at,
            )?;
        }
        transaction
            .prepare_cached(
                "UPDATE entities SET deleted_at = ?3 WHERE customer_id = ?1 AND id = ?2 AND deleted_at IS NULL",
            )?
            .execute(params![customer_id, entity_id, at.0])?;
        journal::record(
            &transaction,
            &Performed {
                customer_id,
                at: at.0,
                entries_before,
                operation: Operation::DeleteEntity {
                    customer_id: customer_id.to_string(),
                    entity_id: entity_id.to_string(),
                },
                version: None,
            },
        )?;
        transaction.commit()?;
        Ok(entity.view(customer_id, Some(at), Vec::new()))
    }

    /// An entity and what it may use of each balance held per entity of its feature.
    pub fn entity(
        &mut self,
        customer_id: &str,
        entity_id: &str,
        at: Instant,
    ) -> Result<EntityView, LedgerError> {
        let clock = self.bring_up_to_date(customer_id, at)?;
        let (connection, LedgerCatalog { versions, .. }) = self.read_parts();
        require_customer(connection, customer_id)?;
        let entity = require_entity(connection, customer_id, entity_id)?;
        let mut keys: Vec<(String, bool, bool)> = Vec::new();
        for active in active_plans(connection, versions, customer_id)? {
            for (item_id, item) in &active.plan.items {
                if item.per_entity.as_deref() == Some(entity.feature_id.as_str()) {
                    let unlimited = item.included == Included::Unlimited;
                    let overage_allowed = item
                        .price
                        .as_ref()
                        .is_some_and(|price| price.billing == crate::catalog::Billing::Usage);
                    keys.push((item_id.clone(), unlimited, overage_allowed));
                }
            }
        }
        keys.sort();
        keys.dedup_by(|a, b| a.0 == b.0);
        let balances = keys
            .into_iter()
            .map(|(key, unlimited, overage_allowed)| {
                balance_view(
                    connection,
                    clock,
                    customer_id,
                    &key,
                    Some(entity_id),
                    (unlimited, overage_allowed),
                    at.0,
                )
            })
            .collect::<Result<Vec<BalanceView>, _>>()?;
        Ok(entity.view(customer_id, None, balances))
    }
}

/// Refuses an entity of a feature that is not allocated: an entity is one unit of it in use.
fn entity_feature(catalog: &Catalog, feature_id: &str) -> Result<(), LedgerError> {
    let feature = catalog
        .features
        .get(feature_id)
        .ok_or_else(|| LedgerError::UnknownFeature(feature_id.to_string()))?;
    let reason = match (feature.kind, feature.consumable) {
        (FeatureType::Metered, false) => return Ok(()),
        (FeatureType::Boolean, _) => "is a boolean feature",
        (FeatureType::Metered, true) => "is consumable (its units are used up, not held)",
    };
    Err(LedgerError::EntityFeature {
        feature: feature_id.to_string(),
        reason: reason.to_string(),
    })
}

/// Puts `change` units of an allocated feature in use for the customer (negative releases),
/// as a `usage` entry giving the reason (an entity created or deleted).
fn change_level(
    transaction: &Connection,
    customer_id: &str,
    feature_id: &str,
    change: Decimal,
    reason: &str,
    at: Instant,
) -> Result<(), LedgerError> {
    allocate(transaction, customer_id, feature_id, None, change, at.0)?;
    entry(
        transaction,
        &NewEntry {
            customer_id,
            at: at.0,
            kind: "usage",
            balance_key: feature_id,
            amount: -change,
            feature_id: Some(feature_id),
            units: Some(change),
            reason: Some(reason),
            subscription_id: None,
            idempotency_key: None,
            entity_id: None,
        },
    )
}
