//! Entities of a customer (seats, workspaces): `entities.create`, `entities.get`,
//! `entities.delete`. Shapes from Autumn's `shared/api/entities/` (`CreateEntityParamsV1Schema`,
//! `GetEntityParamsV0Schema`, `DeleteEntityParamsV0Schema`, `ApiEntityV2Schema`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
