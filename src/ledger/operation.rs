//! The ledger's operations as data: what a CLI command, a scenario step and (soon) an HTTP
//! request each become, so every way in reaches the ledger through one mapping,
//! [`Ledger::execute`](super::Ledger::execute).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::customer_controls::{AutoTopUpResult, SetAutoTopUpRequest};
use super::model::{
    AttachRequest, AttachResult, BalanceView, ChargeView, CheckResult, CreateEntityRequest,
    CustomerView, EntityView, GrantRequest, GrantResult, HistoryEntry, QuantityResult,
    SetQuantityRequest, TrackRequest, TrackResult,
};

/// One ledger operation. Its JSON form is tagged by `operation`:
/// `{"operation": "track", "customer_id": "acme", "feature_id": "o1-input-tokens", "value": "1000"}`
/// (decimals as strings, as everywhere in pricectl's JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// Creates a customer (an error when it exists), on the default plan of each group.
    CreateCustomer {
        customer_id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        email: Option<String>,
    },
    /// The customer, created first when it does not exist (Autumn's `get_or_create`).
    GetOrCreateCustomer {
        customer_id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        email: Option<String>,
    },
    /// A customer's plans, balances and charges.
    GetCustomer { customer_id: String },
    /// Subscribes a customer to a plan, or buys an add-on, charging for it.
    Attach(AttachRequest),
    /// Changes the prepaid quantity of items of a plan the customer is on, mid-term, charging
    /// or crediting the change as each item's proration policy says.
    SetQuantity(SetQuantityRequest),
    /// Records usage of a metered feature.
    Track(TrackRequest),
    /// Turns the auto top-up of a customer's balances on or off for that customer, or back to
    /// the plan's default.
    SetAutoTopUp(SetAutoTopUpRequest),
    /// Whether a customer may use a feature now.
    Check(CheckRequest),
    /// Gifts units of a feature or credits of a credit system.
    Grant(GrantRequest),
    /// Creates an entity of a customer (a seat, a workspace): one unit of its feature in use,
    /// granted what the customer's plans hold per entity of that feature.
    CreateEntity(CreateEntityRequest),
    /// An entity and the balances it may use.
    GetEntity {
        customer_id: String,
        entity_id: String,
    },
    /// Deletes an entity: its unit is released and its own balances end.
    DeleteEntity {
        customer_id: String,
        entity_id: String,
    },
    /// Every balance of a customer, lot by lot.
    Balance { customer_id: String },
    /// Every ledger entry of a customer, oldest first.
    History { customer_id: String },
    /// Brings billing periods up to the operation's time (renewals, bills for usage, expiries)
    /// for one customer, or for every customer when none is named; answers the charges made.
    Advance {
        #[serde(default)]
        customer_id: Option<String>,
    },
}

/// `check`: may the customer use `required` units of a feature (default 1)?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub customer_id: String,
    pub feature_id: String,
    #[serde(default, with = "crate::catalog::decimal::option")]
    pub required: Option<Decimal>,
    /// The entity asking, for a balance held per entity; without one such a balance is the sum
    /// over the customer's entities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
}

/// What an operation answers; its JSON form is the answer itself (a customer, a track
/// result, a list of balances…), as the CLI prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Customer(CustomerView),
    Attached(AttachResult),
    QuantitySet(QuantityResult),
    Tracked(TrackResult),
    Checked(CheckResult),
    Granted(GrantResult),
    Balances(Vec<BalanceView>),
    History(Vec<HistoryEntry>),
    Advanced(Vec<BilledCharge>),
    Entity(EntityView),
    AutoTopUpSet(AutoTopUpResult),
}

/// A charge made for a customer (by `advance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BilledCharge {
    pub customer_id: String,
    #[serde(flatten)]
    pub charge: ChargeView,
}

impl Operation {
    /// Whether the operation changes the ledger (a store opened for reading refuses it).
    /// Reads may still store the periods they bring up to date.
    pub fn writes(&self) -> bool {
        match self {
            Operation::CreateCustomer { .. }
            | Operation::GetOrCreateCustomer { .. }
            | Operation::Attach(_)
            | Operation::SetQuantity(_)
            | Operation::Track(_)
            | Operation::SetAutoTopUp(_)
            | Operation::Grant(_)
            | Operation::CreateEntity(_)
            | Operation::DeleteEntity { .. }
            | Operation::Advance { .. } => true,
            Operation::GetEntity { .. }
            | Operation::GetCustomer { .. }
            | Operation::Check(_)
            | Operation::Balance { .. }
            | Operation::History { .. } => false,
        }
    }

    /// The customer the operation is about (none for an `advance` of every customer).
    pub fn customer_id(&self) -> Option<&str> {
        match self {
            Operation::CreateCustomer { customer_id, .. }
            | Operation::GetOrCreateCustomer { customer_id, .. }
            | Operation::GetCustomer { customer_id }
            | Operation::Balance { customer_id }
            | Operation::History { customer_id }
            | Operation::GetEntity { customer_id, .. }
            | Operation::DeleteEntity { customer_id, .. } => Some(customer_id),
            Operation::CreateEntity(request) => Some(&request.customer_id),
            Operation::Attach(request) => Some(&request.customer_id),
            Operation::SetQuantity(request) => Some(&request.customer_id),
            Operation::Track(request) => Some(&request.customer_id),
            Operation::SetAutoTopUp(request) => Some(&request.customer_id),
            Operation::Check(request) => Some(&request.customer_id),
            Operation::Grant(request) => Some(&request.customer_id),
            Operation::Advance { customer_id } => customer_id.as_deref(),
        }
    }

    /// A short description for reports (`attach acme to pro (seats=5)`).
    pub fn describe(&self) -> String {
        match self {
            Operation::CreateCustomer { customer_id, .. }
            | Operation::GetOrCreateCustomer { customer_id, .. } => {
                format!("customer {customer_id}")
            }
            Operation::GetCustomer { customer_id } => format!("show customer {customer_id}"),
            Operation::Attach(request) => {
                let bought: Vec<String> = request
                    .quantities
                    .iter()
                    .map(|(item, quantity)| format!("{item}={quantity}"))
                    .collect();
                format!(
                    "attach {} to {}{}",
                    request.customer_id,
                    request.plan_id,
                    if bought.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", bought.join(", "))
                    }
                )
            }
            Operation::SetQuantity(request) => {
                let quantities: Vec<String> = request
                    .quantities
                    .iter()
                    .map(|(item, quantity)| format!("{item}={quantity}"))
                    .collect();
                format!(
                    "set quantity of {} on {} ({})",
                    request.customer_id,
                    request.plan_id,
                    quantities.join(", ")
                )
            }
            Operation::Track(request) => format!(
                "track {} {} for {}{}",
                request.value,
                request.feature_id,
                request.customer_id,
                of_entity(request.entity_id.as_deref())
            ),
            Operation::SetAutoTopUp(request) => {
                let switches: Vec<String> = request
                    .switches
                    .iter()
                    .map(|(balance, switch)| format!("{balance}={}", switch.as_str()))
                    .collect();
                format!(
                    "set auto top-up of {} ({})",
                    request.customer_id,
                    switches.join(", ")
                )
            }
            Operation::Check(request) => format!(
                "check {} for {}{}{}",
                request.feature_id,
                request.customer_id,
                of_entity(request.entity_id.as_deref()),
                request
                    .required
                    .map_or_else(String::new, |required| format!(" (required {required})"))
            ),
            Operation::CreateEntity(request) => format!(
                "entity {} of {} for {}",
                request.entity_id, request.feature_id, request.customer_id
            ),
            Operation::GetEntity {
                customer_id,
                entity_id,
            } => format!("show entity {entity_id} of {customer_id}"),
            Operation::DeleteEntity {
                customer_id,
                entity_id,
            } => format!("delete entity {entity_id} of {customer_id}"),
            Operation::Grant(request) => format!(
                "grant {} {} to {}",
                request.amount, request.feature_id, request.customer_id
            ),
            Operation::Balance { customer_id } => format!("balance of {customer_id}"),
            Operation::History { customer_id } => format!("history of {customer_id}"),
            Operation::Advance { customer_id } => customer_id.as_ref().map_or_else(
                || "advance every customer".to_string(),
                |customer_id| format!("advance {customer_id}"),
            ),
        }
    }
}

/// ` (entity seat-1)`, or nothing.
fn of_entity(entity_id: Option<&str>) -> String {
    entity_id.map_or_else(String::new, |entity| format!(" (entity {entity})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_read_and_write_their_json_form() {
        let cases = [
            (
                r#"{"operation":"track","customer_id":"acme","feature_id":"tokens","value":"1000","idempotency_key":null}"#,
                Operation::Track(TrackRequest {
                    customer_id: "acme".into(),
                    feature_id: "tokens".into(),
                    value: Decimal::from(1000),
                    idempotency_key: None,
                    overage: crate::ledger::Overage::Overflow,
                    entity_id: None,
                }),
            ),
            (
                r#"{"operation":"check","customer_id":"acme","feature_id":"tokens","required":"2.5"}"#,
                Operation::Check(CheckRequest {
                    customer_id: "acme".into(),
                    feature_id: "tokens".into(),
                    required: Some(Decimal::new(25, 1)),
                    entity_id: None,
                }),
            ),
            (
                r#"{"operation":"track","customer_id":"acme","feature_id":"messages","value":"3","idempotency_key":null,"entity_id":"seat-1"}"#,
                Operation::Track(TrackRequest {
                    customer_id: "acme".into(),
                    feature_id: "messages".into(),
                    value: Decimal::from(3),
                    idempotency_key: None,
                    overage: crate::ledger::Overage::Overflow,
                    entity_id: Some("seat-1".into()),
                }),
            ),
            (
                r#"{"operation":"create_entity","customer_id":"acme","entity_id":"seat-1","feature_id":"seats","name":"Ada"}"#,
                Operation::CreateEntity(CreateEntityRequest {
                    customer_id: "acme".into(),
                    entity_id: "seat-1".into(),
                    feature_id: "seats".into(),
                    name: Some("Ada".into()),
                }),
            ),
            (
                r#"{"operation":"delete_entity","customer_id":"acme","entity_id":"seat-1"}"#,
                Operation::DeleteEntity {
                    customer_id: "acme".into(),
                    entity_id: "seat-1".into(),
                },
            ),
            (
                r#"{"operation":"set_auto_top_up","customer_id":"acme","switches":{"credits":"on","messages":"plan"}}"#,
                Operation::SetAutoTopUp(SetAutoTopUpRequest {
                    customer_id: "acme".into(),
                    switches: [
                        ("credits".to_string(), crate::ledger::TopUpSwitch::On),
                        ("messages".to_string(), crate::ledger::TopUpSwitch::Plan),
                    ]
                    .into(),
                }),
            ),
            (
                r#"{"operation":"advance","customer_id":null}"#,
                Operation::Advance { customer_id: None },
            ),
            (
                r#"{"operation":"create_customer","customer_id":"acme","name":"Acme","email":null}"#,
                Operation::CreateCustomer {
                    customer_id: "acme".into(),
                    name: Some("Acme".into()),
                    email: None,
                },
            ),
        ];
        for (json, operation) in cases {
            assert_eq!(
                serde_json::from_str::<Operation>(json).expect(json),
                operation
            );
            assert_eq!(serde_json::to_string(&operation).expect("serializes"), json);
        }
        // Optional fields may be left out; unknown ones are refused.
        assert_eq!(
            serde_json::from_str::<Operation>(r#"{"operation":"advance"}"#).expect("parses"),
            Operation::Advance { customer_id: None }
        );
        assert!(
            serde_json::from_str::<Operation>(
                r#"{"operation":"balance","customer_id":"acme","at":"now"}"#
            )
            .is_err()
        );
    }
}
