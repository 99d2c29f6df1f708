//! Entities of a customer (seats, workspaces): `entities.create`, `entities.get`,
//! `entities.list`, `entities.update`, `entities.delete`. Shapes from Autumn's
//! `shared/api/entities/` (`CreateEntityParamsV1Schema`, `GetEntityParamsV0Schema`,
//! `ListEntitiesV2_3ParamsSchema` and `ListEntitiesParamsSchema`, `UpdateEntityParamsSchema`,
//! `DeleteEntityParamsV0Schema`, `ApiEntityV2Schema`) and `shared/api/billingControls/
//! entityBillingControls.ts`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::billing_controls::BillingControls;
use super::cursor::Page;
use super::customer::{Balance, Flag, Purchase, Subscription};

/// `entities.create`: an entity of a customer, one unit of `feature_id` in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEntityParams {
    pub customer_id: String,
    pub entity_id: String,
    pub feature_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `entities.get` and `entities.delete`. Autumn finds the customer from the entity when
/// `customer_id` is left out; pricectl needs it (entity ids are a customer's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    pub entity_id: String,
}

/// An entity with its balances: what it may use of each balance held per entity of its
/// feature (its own and the customer's, as `check` with the entity answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub id: Option<String>,
    pub name: Option<String>,
    pub customer_id: Option<String>,
    pub feature_id: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub env: String,
    /// Plans are a customer's in pricectl: an entity has none of its own.
    pub subscriptions: Vec<Subscription>,
    pub purchases: Vec<Purchase>,
    /// Feature id → balance.
    pub balances: BTreeMap<String, Balance>,
    pub flags: BTreeMap<String, Flag>,
}

/// `entities.list`: a page of entities across customers, filtered. From API 2.3.0 pages go by
/// `start_cursor` (`ListEntitiesV2_3ParamsSchema`: default 50 a page, at most 5,000); before,
/// by `offset` (`ListEntitiesParamsSchema`: default 10, at most 1,000). Both are read here and
/// the version decides which one a request may use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListEntitiesParams {
    /// The `next_cursor` of the previous page; empty (the default): the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Entities whose customer (or the entity itself) is on one of these plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plans: Option<Vec<PlanFilter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_status: Option<SubscriptionStatusFilter>,
    /// Part of an entity's id or name, in any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// The payment processors of the entities' customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processors: Option<Vec<Processor>>,
    /// The entities of this customer only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
}

/// A plan of `entities.list`'s filter: any of its versions, or those listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFilter {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<u32>>,
}

/// Which subscriptions a plan filter looks at: `active` or `scheduled` (by default both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatusFilter {
    Active,
    Scheduled,
}

/// `stripe`, `revenuecat` or `vercel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Processor {
    Stripe,
    Revenuecat,
    Vercel,
}

/// A page of `entities.list`.
pub type EntityPage = Page<Entity>;

/// `entities.update`: the entity's own billing controls, each lane given replacing the
/// entity's (Autumn's `updateEntity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateEntityParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    pub entity_id: String,
    /// Autumn's `ApiEntityBillingControlsParamsSchema`: a customer's lanes but `auto_topups`,
    /// which the server refuses by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_controls: Option<BillingControls>,
}
