//! The routes the server answers, and each request read into its wire type: one table from a
//! path to what the store is asked.

use serde::de::DeserializeOwned;

use super::api_error::ApiError;
use crate::autumn::wire::balances::{CheckParams, CreateBalanceParams, TrackParams};
use crate::autumn::wire::billing::{AttachParams, LegacyAttachParams, UpdateParams};
use crate::autumn::wire::catalog::{CatalogUpdateParams, Empty};
use crate::autumn::wire::customer::{
    GetCustomerParams, GetOrCreateCustomerParams, ListCustomersParams, UpdateCustomerParams,
};
use crate::autumn::wire::entity::{
    CreateEntityParams, EntityParams, ListEntitiesParams, UpdateEntityParams,
};
use crate::autumn::wire::feature::{FeatureIdParams, FeatureParams, FeatureUpdateParams};
use crate::autumn::wire::plan::{PlanDeleteParams, PlanGetParams, PlanListParams, PlanParams};

/// A request, its body read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    OrganizationMe,
    ListFeatures,
    GetFeature(FeatureIdParams),
    CreateFeature(FeatureParams),
    UpdateFeature(FeatureUpdateParams),
    DeleteFeature(FeatureIdParams),
    ListPlans(PlanListParams),
    GetPlan(PlanGetParams),
    CreatePlan(PlanParams),
    UpdatePlan(PlanParams),
    DeletePlan(PlanDeleteParams),
    PreviewCatalog(CatalogUpdateParams),
    UpdateCatalog(CatalogUpdateParams),
    ListRewards,
    ListReferralPrograms,
    GetOrCreateCustomer(GetOrCreateCustomerParams),
    GetCustomer(GetCustomerParams),
    UpdateCustomer(UpdateCustomerParams),
    ListCustomers(ListCustomersParams),
    Attach(AttachParams),
    LegacyAttach(LegacyAttachParams),
    /// Boxed: its many optional fields would make every call as large.
    UpdateSubscription(Box<UpdateParams>),
    Track(TrackParams),
    Check(CheckParams),
    CreateBalance(CreateBalanceParams),
    CreateEntity(CreateEntityParams),
    GetEntity(EntityParams),
    ListEntities(ListEntitiesParams),
    UpdateEntity(UpdateEntityParams),
    DeleteEntity(EntityParams),
}

/// The routes: `POST /v1/<name>` with a JSON body, and `GET /v1/organization/me`.
pub const ROUTES: &[&str] = &[
    "features.list",
    "features.get",
    "features.create",
    "features.update",
    "features.delete",
    "plans.list",
    "plans.get",
    "plans.create",
    "plans.update",
    "plans.delete",
    "catalog.preview_update",
    "catalog.update",
    "rewards.list",
    "referral_programs.list",
    "customers.get_or_create",
    "customers.get",
    "customers.update",
    "customers.list",
    "billing.attach",
    "attach",
    "billing.update",
    "balances.track",
    "track",
    "events",
    "balances.check",
    "check",
    "entitled",
    "balances.create",
    "entities.create",
    "entities.get",
    "entities.list",
    "entities.update",
    "entities.delete",
];

impl Call {
    /// Reads the body of `POST /v1/<name>`; `None` when there is no such route. An empty body
    /// reads as `{}`.
    pub fn read(name: &str, body: &[u8]) -> Option<Result<Call, ApiError>> {
        let call = match name {
            "features.list" => body_of::<Empty>(body).map(|_| Call::ListFeatures),
            "features.get" => body_of(body).map(Call::GetFeature),
            "features.create" => body_of(body).map(Call::CreateFeature),
            "features.update" => body_of(body).map(Call::UpdateFeature),
            "features.delete" => body_of(body).map(Call::DeleteFeature),
            "plans.list" => body_of(body).map(Call::ListPlans),
            "plans.get" => body_of(body).map(Call::GetPlan),
            "plans.create" => body_of(body).map(Call::CreatePlan),
            "plans.update" => body_of(body).map(Call::UpdatePlan),
            "plans.delete" => body_of(body).map(Call::DeletePlan),
            "catalog.preview_update" => body_of(body).map(Call::PreviewCatalog),
            "catalog.update" => body_of(body).map(Call::UpdateCatalog),
            "rewards.list" => body_of::<Empty>(body).map(|_| Call::ListRewards),
            "referral_programs.list" => body_of::<Empty>(body).map(|_| Call::ListReferralPrograms),
            "customers.get_or_create" => body_of(body).map(Call::GetOrCreateCustomer),
            "customers.get" => body_of(body).map(Call::GetCustomer),
            "customers.update" => body_of(body).map(Call::UpdateCustomer),
            "customers.list" => body_of(body).map(Call::ListCustomers),
            "billing.attach" => body_of(body).map(Call::Attach),
            "attach" => body_of(body).map(Call::LegacyAttach),
            "billing.update" => {
                body_of(body).map(|params| Call::UpdateSubscription(Box::new(params)))
            }
            "balances.track" | "track" | "events" => body_of(body).map(Call::Track),
            "balances.check" | "check" | "entitled" => body_of(body).map(Call::Check),
            "balances.create" => body_of(body).map(Call::CreateBalance),
            "entities.create" => body_of(body).map(Call::CreateEntity),
            "entities.get" => body_of(body).map(Call::GetEntity),
            "entities.list" => body_of(body).map(Call::ListEntities),
            "entities.update" => body_of(body).map(Call::UpdateEntity),
            "entities.delete" => body_of(body).map(Call::DeleteEntity),
            _ => return None,
        };
        Some(call)
    }

    /// Whether the call may change the store: an `Idempotency-Key` is claimed for it.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Call::OrganizationMe
                | Call::ListFeatures
                | Call::GetFeature(_)
                | Call::ListPlans(_)
                | Call::GetPlan(_)
                | Call::PreviewCatalog(_)
                | Call::ListRewards
                | Call::ListReferralPrograms
                | Call::GetCustomer(_)
                | Call::ListCustomers(_)
                | Call::Check(_)
                | Call::GetEntity(_)
                | Call::ListEntities(_)
        )
    }
}

/// Reads a JSON body into `T`; a 400 naming the field otherwise.
fn body_of<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    if body.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::invalid("the body must be a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let read: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::invalid(format!("the body is not valid JSON: {inner}"))
        } else if path == "." {
            ApiError::invalid(format!("the body: {inner}"))
        } else {
            ApiError::invalid(format!("{path}: {inner}"))
        }
    })?;
    deserializer
        .end()
        .map_err(|error| ApiError::invalid(format!("the body is not valid JSON: {error}")))?;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(name: &str, body: &str) -> String {
        match Call::read(name, body.as_bytes()) {
            Some(Err(error)) => {
                assert_eq!(error.code, "invalid_inputs");
                error.message
            }
            other => panic!("{name} {body}: expected an error, got {other:?}"),
        }
    }

    #[test]
    fn bad_bodies_are_refused_naming_the_field() {
        assert_eq!(
            message(
                "balances.track",
                r#"{"customer_id":"a","feature_id":"f","value":"x"}"#
            ),
            "value: invalid type: string \"x\", expected a JSON number at line 1 column 47"
        );
        assert_eq!(
            message(
                "balances.check",
                r#"{"customer_id":"a","feature_id":"f","colour":1}"#
            ),
            "colour: unknown field `colour`, expected one of `customer_id`, `entity_id`, `feature_id`, `required_balance`, `properties`, `send_event`, `with_preview` at line 1 column 44"
        );
        assert_eq!(
            message("balances.check", r#"{"customer_id":"a""#),
            "the body is not valid JSON: EOF while parsing an object at line 1 column 18"
        );
        assert_eq!(
            message("balances.check", r#"{"customer_id":"a"}"#),
            "the body: missing field `feature_id` at line 1 column 19"
        );
        assert_eq!(
            message("balances.check", "[1]"),
            "the body must be a JSON object"
        );
        assert_eq!(
            message("features.list", "{} {}"),
            "the body is not valid JSON: trailing characters at line 1 column 4"
        );
    }

    #[test]
    fn an_empty_body_is_an_empty_object_and_unknown_routes_are_none() {
        assert_eq!(
            Call::read("features.list", b""),
            Some(Ok(Call::ListFeatures))
        );
        assert_eq!(Call::read("features.frobnicate", b"{}"), None);
        for name in ROUTES {
            assert!(Call::read(name, b"{}").is_some(), "{name}");
        }
    }
}
