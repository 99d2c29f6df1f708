//! Autumn's own preview of the pricing (`catalog.preview_update`, what `atmn push` asks
//! before it changes anything), read as a [`Verdict`] beside pricectl's plan.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread::JoinHandle;

use super::call_error::CallError;
use super::client::Client;

use crate::autumn::mapping::{credit_system_body, feature_body, keep_set_aside, plan_body};
use crate::autumn::wire::billing_controls::BillingControls;
use crate::autumn::wire::catalog::{
    CatalogPreview, CatalogUpdateParams, FeatureAction, PlanAction,
};
use crate::backend::BackendError;
use crate::catalog::{Address, Catalog};
use crate::diff::{Action, Plan, SystemView, Verdict};
use crate::live::LiveState;

/// The system's name in a verdict.
const SYSTEM: &str = "Autumn";

/// Autumn's preview of the pricing, sent ahead with the reads a plan is made from: the body
/// it is of, and its answer on its way. Autumn takes longest over the preview (it compiles
/// and diffs the whole catalog), so the plan is diffed while it does, and the answer is
/// waited for only when the verdict is made ([`preview`]).
pub struct SentPreview {
    body: Arc<CatalogUpdateParams>,
    answer: JoinHandle<Result<CatalogPreview, CallError>>,
}

impl SentPreview {
    /// Sends the preview of `body` from a thread of its own, paced and retried by `client`
    /// as any request is.
    pub fn send(client: Arc<Client>, body: CatalogUpdateParams) -> SentPreview {
        let body = Arc::new(body);
        let sent = Arc::clone(&body);
        let answer = std::thread::spawn(move || {
            client.call::<CatalogPreview>("catalog.preview_update", &*sent, None)
        });
        SentPreview { body, answer }
    }

    /// Autumn's answer, once it is in; a thread that stopped without one (it cannot, as
    /// nothing in a request panics) is a preview without an answer.
    fn answer(self) -> Result<CatalogPreview, CallError> {
        self.answer.join().unwrap_or_else(|_| {
            Err(CallError::NoAnswer {
                detail: "the thread sending the request stopped".into(),
            })
        })
    }
}

/// The body of Autumn's preview of making `desired` its catalog. What Autumn holds that
/// pricectl sets aside (`live`'s whole objects pricectl cannot express) is skipped, so the
/// preview never counts it as removed, and a plan's billing controls pricectl cannot express
/// (`kept`, by plan id) go with the plan, as an update sends them. Of an empty `live` and no
/// `kept`, it is the body sent before the live catalog is read.
pub fn body(
    desired: &Catalog,
    live: &LiveState,
    kept: &BTreeMap<String, BillingControls>,
) -> CatalogUpdateParams {
    let mut features: Vec<_> = desired.features.values().map(feature_body).collect();
    features.extend(desired.credit_systems.values().map(credit_system_body));
    let set_aside = |kind: &str| -> Vec<String> {
        live.unmanaged
            .iter()
            .filter(|unmanaged| unmanaged.whole_object)
            .filter_map(|unmanaged| unmanaged.place.strip_prefix(kind))
            .map(str::to_string)
            .collect()
    };
    CatalogUpdateParams {
        features,
        plans: desired
            .plans
            .values()
            .map(|plan| {
                let mut body = plan_body(plan, &desired.features);
                body.include_versions = Some(true);
                if let (Some(kept), Some(controls)) =
                    (kept.get(&plan.id), body.billing_controls.as_mut())
                {
                    // One the pricing now says differently is refused by the apply; the
                    // preview is of the pricing as written.
                    let _collides = keep_set_aside(controls, kept).is_err();
                }
                body
            })
            .collect(),
        rewards: Some(Vec::new()),
        referral_programs: Some(Vec::new()),
        skip_deletions: false,
        skip_feature_ids: set_aside("feature."),
        skip_plan_ids: set_aside("plan."),
    }
}

/// Asks Autumn to preview making `desired` its catalog ([`body`]) and compares its answer
/// with `plan`. A preview sent ahead (`sent`, with the reads the plan was made from) is
/// taken when its body is the one this would send; otherwise (the live catalog holds what
/// the preview must skip or keep) it is asked again. A 4xx (Autumn refuses the catalog) is a
/// verdict that disagrees; no answer at all is an error.
pub fn preview(
    client: &Client,
    desired: &Catalog,
    live: &LiveState,
    plan: &Plan,
    kept: &BTreeMap<String, BillingControls>,
    sent: Option<SentPreview>,
) -> Result<Verdict, BackendError> {
    let body = body(desired, live, kept);
    let archived = |address: &Address| {
        let id = address.id();
        desired
            .features
            .get(id)
            .is_some_and(|object| object.archived)
            || desired
                .credit_systems
                .get(id)
                .is_some_and(|object| object.archived)
            || desired.plans.get(id).is_some_and(|object| object.archived)
    };
    let answer: Result<CatalogPreview, CallError> = match sent {
        Some(sent) if *sent.body == body => sent.answer(),
        _ => client.call("catalog.preview_update", &body, None),
    };
    match answer {
        Ok(answer) => Ok(Verdict::compare(
            SYSTEM,
            plan,
            views(&answer, desired, live),
            None,
            archived,
        )),
        Err(CallError::Answered {
            status,
            code,
            message,
            ..
        }) if (400..500).contains(&status) && status != 401 && status != 403 && status != 429 => {
            Ok(Verdict::compare(
                SYSTEM,
                plan,
                Vec::new(),
                Some(format!("{message} (`{code}`)")),
                archived,
            ))
        }
        Err(error) => Err(error.into_backend_error(None)),
    }
}

/// What Autumn says of each feature and plan it would change, block or has customers on.
fn views(answer: &CatalogPreview, desired: &Catalog, live: &LiveState) -> Vec<SystemView> {
    let is_credit_system = |id: &str| {
        desired.credit_systems.contains_key(id) || live.catalog.credit_systems.contains_key(id)
    };
    let mut views = Vec::new();
    for change in &answer.feature_changes {
        let action = match change.action {
            FeatureAction::Create => Some(Action::Create),
            FeatureAction::Update => Some(Action::Update),
            FeatureAction::Remove if change.will_archive => Some(Action::Archive),
            FeatureAction::Remove => Some(Action::Delete),
            FeatureAction::Skipped | FeatureAction::None => None,
        };
        let blocked = change.blocked.then(|| {
            change.blocked_reason.map_or_else(
                || "blocked".to_string(),
                |reason| {
                    serde_json::to_value(reason)
                        .ok()
                        .and_then(|value| value.as_str().map(str::to_string))
                        .unwrap_or_else(|| "blocked".into())
                },
            )
        });
        if action.is_none() && blocked.is_none() {
            continue;
        }
        let address = if is_credit_system(&change.feature_id) {
            Address::credit_system(&change.feature_id)
        } else {
            Address::feature(&change.feature_id)
        };
        views.push(SystemView {
            address,
            action,
            blocked,
            customers: None,
        });
    }
    for change in &answer.plan_changes {
        let action = match change.action {
            PlanAction::Created => Some(Action::Create),
            PlanAction::Updated if change.versionable => Some(Action::NewVersion),
            PlanAction::Updated => Some(Action::Update),
            PlanAction::Deleted if change.will_archive => Some(Action::Archive),
            PlanAction::Deleted => Some(Action::Delete),
            PlanAction::Skipped | PlanAction::None => None,
        };
        if action.is_none() && change.customer_count == 0 {
            continue;
        }
        views.push(SystemView {
            address: Address::plan(&change.plan_id),
            action,
            blocked: None,
            customers: Some(change.customer_count),
        });
    }
    views.sort_by(|left, right| left.address.cmp(&right.address));
    views
}
