//! Round trips of bodies recorded from Autumn's own clients and server (shared/reference:
//! `autumn-api.md`, `autumn-client-shapes.md`): each reads into its wire type and writes back
//! the same JSON, so no field is lost or renamed on either side.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::balances::{CheckParams, TrackParams};
use super::billing::AttachParams;
use super::catalog::CatalogUpdateParams;
use super::customer::GetOrCreateCustomerParams;
use super::plan::{Plan, PlanListParams};

/// Reads `recorded` as `T`, writes it back, and compares the two as JSON values (numbers by
/// their exact text).
fn round_trip<T: Serialize + DeserializeOwned>(recorded: &str) -> T {
    let read: T =
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(recorded))
            .unwrap_or_else(|error| panic!("{error} in {recorded}"));
    let written = serde_json::to_value(&read).expect("serializes");
    let expected: serde_json::Value = serde_json::from_str(recorded).expect("recorded JSON");
    assert_eq!(written, expected, "written back differently");
    read
}

/// What `atmn push` sent to `catalog.update` for the `OpenAI` credits catalog.
const ATMN_CATALOG_UPDATE: &str = r#"{"features":[
  {"feature_id":"o1-input-tokens","name":"o1 input tokens","type":"metered","consumable":true},
  {"feature_id":"o1-output-tokens","name":"o1 output tokens","type":"metered","consumable":true},
  {"feature_id":"o3-input-tokens","name":"o3 input tokens","type":"metered","consumable":true},
  {"feature_id":"o3-output-tokens","name":"o3 output tokens","type":"metered","consumable":true},
  {"feature_id":"priority-support","name":"Priority support","type":"boolean"},
  {"feature_id":"credits","name":"Credits","type":"credit_system","credit_schema":[
    {"metered_feature_id":"o1-input-tokens","credit_cost":0.0015},
    {"metered_feature_id":"o1-output-tokens","credit_cost":0.006},
    {"metered_feature_id":"o3-input-tokens","credit_cost":0.001},
    {"metered_feature_id":"o3-output-tokens","credit_cost":0.004}]}],
 "plans":[
  {"plan_id":"credit-top-up","name":"Credit top-up","licenses":[],"group":"","add_on":true,
   "auto_enable":false,"items":[{"feature_id":"credits","price":{"interval":"one_off",
   "billing_units":1,"billing_method":"prepaid","amount":0.01}}],"price":null,"free_trial":null},
  {"plan_id":"pro","name":"Pro","licenses":[],"group":"","add_on":false,"auto_enable":false,
   "price":{"amount":20,"interval":"month"},"items":[
    {"feature_id":"credits","included":2000,"reset":{"interval":"month"},"price":{"interval":"month",
     "billing_units":1,"billing_method":"usage_based","amount":0.01}},
    {"feature_id":"priority-support"}],"free_trial":null}],
 "rewards":[],"referral_programs":[],"skip_deletions":false,"skip_feature_ids":[],"skip_plan_ids":[]}"#;

#[test]
fn atmn_catalog_update_round_trips() {
    // `max_purchase` is always written (the SDK requires the key), so the recorded prices,
    // which leave it out, come back with `"max_purchase": null`: compare after adding it.
    let mut recorded: serde_json::Value =
        serde_json::from_str(ATMN_CATALOG_UPDATE).expect("recorded JSON");
    for plan in recorded["plans"].as_array_mut().expect("plans") {
        for item in plan["items"].as_array_mut().expect("items") {
            if let Some(price) = item.get_mut("price") {
                price["max_purchase"] = serde_json::Value::Null;
            }
        }
    }
    let update: CatalogUpdateParams = round_trip(&recorded.to_string());
    assert!(!update.skip_deletions);
    assert_eq!(
        update.features[5].credit_schema.as_ref().expect("schema")[0]
            .credit_cost
            .to_string(),
        "0.0015"
    );
    // `price: null` is kept apart from a price left out.
    assert_eq!(update.plans[0].price, Some(None));
}

#[test]
fn a_plan_as_plans_list_answers_it_round_trips() {
    let plan: Plan = round_trip(
        r#"{"id":"pro","name":"Pro","description":null,"group":null,"version":3,"add_on":false,
 "auto_enable":false,"price":{"amount":20,"interval":"month","interval_count":1},
 "items":[
  {"feature_id":"credits","included":2000,"unlimited":false,"reset":{"interval":"month"},
   "price":{"amount":1,"billing_units":100,"billing_method":"usage_based","interval":"month",
            "max_purchase":null}},
  {"feature_id":"seats","included":3,"unlimited":false,"reset":null,
   "price":{"amount":5,"billing_units":1,"billing_method":"prepaid","interval":"month",
            "max_purchase":null}},
  {"feature_id":"sso","included":0,"unlimited":false,"reset":null,"price":null}],
 "free_trial":{"duration_length":14,"duration_type":"day","card_required":true,"on_end":"bill"},
 "created_at":1771513979217,"env":"sandbox","archived":false,"config":{"ignore_past_due":false},
 "billing_controls":{},"metadata":{},"base_variant_id":null}"#,
    );
    assert_eq!(plan.items.len(), 3);
}

#[test]
fn what_the_sdk_and_the_cli_send_round_trips() {
    round_trip::<GetOrCreateCustomerParams>(r#"{"customer_id":"u1"}"#);
    round_trip::<CheckParams>(r#"{"customer_id":"u1","feature_id":"o1-input-tokens"}"#);
    let track: TrackParams =
        round_trip(r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":100000}"#);
    assert_eq!(
        track.value.map(|value| value.to_string()).as_deref(),
        Some("100000")
    );
    round_trip::<AttachParams>(
        r#"{"customer_id":"u1","plan_id":"credit-top-up","feature_quantities":[{"feature_id":"credits","quantity":500}],"redirect_mode":"if_required"}"#,
    );
    round_trip::<PlanListParams>(r#"{"include_archived":true,"all_versions":false}"#);
}

#[test]
fn unknown_and_mistyped_fields_are_named() {
    let error = serde_path_to_error::deserialize::<_, TrackParams>(
        &mut serde_json::Deserializer::from_str(
            r#"{"customer_id":"u1","feature_id":"f","value":"ten"}"#,
        ),
    )
    .expect_err("a string is no number");
    assert_eq!(error.path().to_string(), "value");
    let error = serde_path_to_error::deserialize::<_, CatalogUpdateParams>(
        &mut serde_json::Deserializer::from_str(
            r#"{"plans":[{"plan_id":"p","items":[{"feature_id":"f","colour":1}]}]}"#,
        ),
    )
    .expect_err("no such field");
    assert_eq!(error.path().to_string(), "plans[0].items[0].colour");
    assert!(
        error.to_string().contains("unknown field `colour`"),
        "{error}"
    );
}
