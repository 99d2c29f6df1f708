//! The catalog endpoints (`features.*`, `plans.*`, `catalog.*`): each request becomes a
//! desired catalog (the live one with the request's change), which goes through the same
//! compiler, diff and apply as `pricectl apply`: one implementation of versioning,
//! archive-instead-of-delete and protection.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension};

use super::api_error::ApiError;
use super::live_cache::{Live, LiveCache};
use crate::autumn::mapping::{
    CatalogFeature, feature_from_wire, features_to_wire, item_changes, plan_from_wire,
    plan_to_wire, price_change,
};
use crate::autumn::wire::catalog::{
    BlockedReason, CatalogPreview, CatalogUpdateParams, CatalogUpdateResponse, FeatureAction,
    FeatureChange, OtherVersion, PlanAction, PlanChange,
};
use crate::autumn::wire::error::code;
use crate::autumn::wire::feature::{Feature as WireFeature, FeatureParams, FeatureUpdateParams};
use crate::autumn::wire::plan::{
    Plan as WirePlan, PlanDeleteParams, PlanGetParams, PlanItemParams, PlanListParams, PlanParams,
};
use crate::backend::local::LocalStore;
use crate::catalog::{Address, Catalog, ObjectKind, Plan};
use crate::diff::{
    Action, Change, Decisions, Fingerprints, Plan as ChangePlan, Reason, decide, diff_fingerprinted,
};
use crate::dsl::SourceSet;
use crate::dsl::write::write_pricing_to_compile;
use crate::live::{LiveState, fingerprint};
use crate::reconcile::{ApplyError, ApplyOptions, apply};
use crate::render::{reason_words, refusal_words};

/// The currency of a store that has no catalog yet (Autumn organizations default to USD).
const DEFAULT_CURRENCY: &str = "USD";

/// How many catalogs [`CatalogService`] keeps compiled: a plan reads the customer counts (a
/// preview of an empty catalog) with Autumn's preview of the pricing, and the pricing's
/// `catalog.update` follows.
const COMPILED_KEPT: usize = 2;

/// The catalog side of the store.
pub struct CatalogService {
    /// The store, its live state kept while the store has not changed.
    store: LiveCache,
    /// The last catalogs compiled, most recent first, each with what it compiled to. A client
    /// previews a catalog and then sends it (`atmn push`; `pricectl plan`, then `apply`,
    /// which plans again), and compiling a large catalog is most of such a request's work;
    /// compiling is a function of the catalog alone, so an equal one is not compiled again.
    compiled: Vec<(Catalog, Arc<Compiled>)>,
}

impl CatalogService {
    pub fn new(store: LocalStore) -> CatalogService {
        CatalogService {
            store: LiveCache::new(store),
            compiled: Vec::new(),
        }
    }

    /// [`compiled`], or what an equal catalog compiled to moments ago (shared, not copied:
    /// a large catalog's copy is a request's worth of work).
    fn compiled(&mut self, desired: Catalog) -> Result<Arc<Compiled>, ApiError> {
        if let Some(index) = self.compiled.iter().position(|(sent, _)| *sent == desired) {
            let entry = self.compiled.remove(index);
            let catalog = Arc::clone(&entry.1);
            self.compiled.insert(0, entry);
            return Ok(catalog);
        }
        let catalog = compiled(&desired)?;
        let catalog = Arc::new(Compiled {
            fingerprint: fingerprint(&catalog),
            catalog,
        });
        self.compiled.truncate(COMPILED_KEPT - 1);
        self.compiled.insert(0, (desired, Arc::clone(&catalog)));
        Ok(catalog)
    }

    /// The live catalog; an empty store's currency is the one its first catalog takes, so a
    /// first `features.create` compiles like any later one.
    fn live(&mut self) -> Result<Arc<Live>, ApiError> {
        let live = self.store.live()?;
        if live.catalog.currency.is_empty() {
            let mut live = LiveState::clone(&live);
            live.catalog.currency = DEFAULT_CURRENCY.to_string();
            return Ok(Arc::new(Live::new(live)));
        }
        Ok(live)
    }

    /// The catalog's currency; an empty store's is the one a first catalog would take. Read
    /// alone when the live state is not at hand: it is one row.
    pub fn currency(&mut self) -> Result<String, ApiError> {
        let currency = self.store.currency()?;
        Ok(if currency.is_empty() {
            DEFAULT_CURRENCY.to_string()
        } else {
            currency
        })
    }

    pub fn list_features(&mut self) -> Result<Vec<WireFeature>, ApiError> {
        Ok(features_to_wire(&self.live()?.catalog))
    }

    pub fn get_feature(&mut self, feature_id: &str) -> Result<WireFeature, ApiError> {
        features_to_wire(&self.live()?.catalog)
            .into_iter()
            .find(|feature| feature.id == feature_id)
            .ok_or_else(|| feature_not_found(feature_id))
    }

    pub fn create_feature(&mut self, params: &FeatureParams) -> Result<WireFeature, ApiError> {
        let live = self.live()?;
        if has_feature(&live.catalog, &params.feature_id) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::DUPLICATE_FEATURE_ID,
                format!("a feature `{}` exists already", params.feature_id),
            ));
        }
        let mut desired = live.catalog.clone();
        insert_feature(&mut desired, feature_from_wire(params, &live.catalog, "")?);
        self.apply(&live, desired, false)?;
        self.get_feature(&params.feature_id)
    }

    pub fn update_feature(
        &mut self,
        params: &FeatureUpdateParams,
    ) -> Result<WireFeature, ApiError> {
        let live = self.live()?;
        let current = features_to_wire(&live.catalog)
            .into_iter()
            .find(|feature| feature.id == params.feature_id)
            .ok_or_else(|| feature_not_found(&params.feature_id))?;
        if params
            .new_feature_id
            .as_ref()
            .is_some_and(|id| *id != params.feature_id)
        {
            return Err(ApiError::invalid(
                "new_feature_id: pricectl identifies a feature by its id, so it is not renamed: create the new feature and archive this one",
            ));
        }
        let merged = FeatureParams {
            feature_id: current.id.clone(),
            name: params.name.clone().or(Some(current.name)),
            kind: params.kind.unwrap_or(current.kind),
            consumable: params.consumable.or(Some(current.consumable)),
            display: params.display.clone().or(current.display),
            credit_schema: params.credit_schema.clone().or(current.credit_schema),
            event_names: params.event_names.clone().or(Some(current.event_names)),
        };
        let mut desired = live.catalog.clone();
        remove_feature(&mut desired, &params.feature_id);
        let mut feature = feature_from_wire(&merged, &live.catalog, "")?;
        if let Some(archived) = params.archived {
            match &mut feature {
                CatalogFeature::Feature(feature) => feature.archived = archived,
                CatalogFeature::CreditSystem(system) => system.archived = archived,
            }
        }
        insert_feature(&mut desired, feature);
        self.apply(&live, desired, params.archived == Some(true))?;
        self.get_feature(&params.feature_id)
    }

    pub fn delete_feature(&mut self, feature_id: &str) -> Result<(), ApiError> {
        let live = self.live()?;
        if !has_feature(&live.catalog, feature_id) {
            return Err(feature_not_found(feature_id));
        }
        let mut desired = live.catalog.clone();
        remove_feature(&mut desired, feature_id);
        self.delete(&live, desired)
    }

    pub fn list_plans(
        &mut self,
        params: &PlanListParams,
        env: &str,
    ) -> Result<Vec<WirePlan>, ApiError> {
        let live = self.live()?;
        let connection = self.store.store().connection();
        let mut listed = Vec::new();
        // By plan id and version, as `ORDER BY plan_id, version` (text compares as bytes).
        for ((plan_id, version), created_at) in versions_created_at(connection)? {
            let Some(plan) = live.catalog.plans.get(&plan_id) else {
                continue;
            };
            if plan.archived && !params.include_archived {
                continue;
            }
            let current = live
                .plans
                .get(&plan_id)
                .is_some_and(|live_plan| live_plan.version == version);
            if current {
                // The live catalog's plan is that version's stored definition, read with the
                // kept live state: not read and parsed again.
                listed.push(plan_to_wire(
                    plan,
                    &live.catalog.features,
                    version,
                    created_at,
                    env,
                ));
            } else if params.all_versions
                && let Some(stored) = plan_version(connection, &plan_id, version)?
            {
                listed.push(stored.to_wire(&live, env));
            }
        }
        Ok(listed)
    }

    pub fn get_plan(&mut self, params: &PlanGetParams, env: &str) -> Result<WirePlan, ApiError> {
        let live = self.live()?;
        let current = live
            .plans
            .get(&params.plan_id)
            .map(|plan| plan.version)
            .ok_or_else(|| plan_not_found(&params.plan_id))?;
        let wanted = params.version.unwrap_or(current);
        // The one version asked for, not every version of every plan: a write answers with
        // its plan, and reading them all made each write cost the size of the catalog.
        plan_version(self.store.store().connection(), &params.plan_id, wanted)?
            .map(|version| version.to_wire(&live, env))
            .ok_or_else(|| {
                ApiError::not_found(
                    code::PRODUCT_NOT_FOUND,
                    format!("plan `{}` has no version {wanted}", params.plan_id),
                )
            })
    }

    pub fn create_plan(&mut self, params: &PlanParams, env: &str) -> Result<WirePlan, ApiError> {
        let live = self.live()?;
        if live.catalog.plans.contains_key(&params.plan_id) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::PRODUCT_ALREADY_EXISTS,
                format!("a plan `{}` exists already", params.plan_id),
            ));
        }
        let mut desired = live.catalog.clone();
        let plan = plan_from_wire(params, None, &live.catalog.features, "")?;
        desired.plans.insert(plan.id.clone(), plan);
        self.apply(&live, desired, false)?;
        self.current_plan(&params.plan_id, env)
    }

    pub fn update_plan(&mut self, params: &PlanParams, env: &str) -> Result<WirePlan, ApiError> {
        let flags = [
            params.force_version,
            params.all_versions,
            params.disable_version,
        ]
        .into_iter()
        .filter(|flag| *flag == Some(true))
        .count();
        if flags > 1 {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::CONFLICTING_VERSION_FLAGS,
                "give at most one of `force_version`, `all_versions` and `disable_version`",
            ));
        }
        if flags == 1 {
            return Err(ApiError::invalid(
                "pricectl versions a plan when customers are on it and its charges change; `force_version`, `all_versions` and `disable_version` are not supported",
            ));
        }
        if params
            .new_plan_id
            .as_ref()
            .is_some_and(|id| *id != params.plan_id)
        {
            return Err(ApiError::invalid(
                "new_plan_id: pricectl identifies a plan by its id, so it is not renamed: create the new plan and archive this one",
            ));
        }
        let live = self.live()?;
        let current = live
            .catalog
            .plans
            .get(&params.plan_id)
            .ok_or_else(|| plan_not_found(&params.plan_id))?;
        let merged = merge_plan(current, params, &live, env);
        let mut plan = plan_from_wire(&merged, Some(current), &live.catalog.features, "")?;
        if let Some(archived) = params.archived {
            plan.archived = archived;
        }
        let mut desired = live.catalog.clone();
        desired.plans.insert(plan.id.clone(), plan);
        self.apply(&live, desired, params.archived == Some(true))?;
        self.current_plan(&params.plan_id, env)
    }

    pub fn delete_plan(&mut self, params: &PlanDeleteParams) -> Result<(), ApiError> {
        let live = self.live()?;
        if !live.catalog.plans.contains_key(&params.plan_id) {
            return Err(plan_not_found(&params.plan_id));
        }
        let mut desired = live.catalog.clone();
        desired.plans.remove(&params.plan_id);
        self.delete(&live, desired)
    }

    pub fn preview(
        &mut self,
        params: &CatalogUpdateParams,
        env: &str,
    ) -> Result<CatalogPreview, ApiError> {
        let live = self.live()?;
        let desired = self.compiled(desired_from_update(params, &live.catalog)?)?;
        // The answer says what happens to each object, never what it does to prices.
        let decisions = decide(&desired.catalog, &live);
        Ok(preview(&decisions, params, &desired.catalog, &live, env))
    }

    pub fn update(
        &mut self,
        params: &CatalogUpdateParams,
        env: &str,
    ) -> Result<CatalogUpdateResponse, ApiError> {
        let live = self.live()?;
        let desired = desired_from_update(params, &live.catalog)?;
        self.apply(&live, desired, !params.skip_deletions)?;
        // Autumn answers with the objects of the body, as they are now
        // (`resolveCatalogUpdateResponse` in `updateCatalog.ts`), not the whole catalog.
        let plan_ids: BTreeSet<&str> = params
            .plans
            .iter()
            .map(|plan| plan.plan_id.as_str())
            .collect();
        let feature_ids: BTreeSet<&str> = params
            .features
            .iter()
            .map(|feature| feature.feature_id.as_str())
            .collect();
        let plans = self
            .list_plans(
                &PlanListParams {
                    include_archived: true,
                    all_versions: false,
                },
                env,
            )?
            .into_iter()
            .filter(|plan| plan_ids.contains(plan.id.as_str()))
            .collect();
        let features = features_to_wire(&self.live()?.catalog)
            .into_iter()
            .filter(|feature| feature_ids.contains(feature.id.as_str()))
            .collect();
        Ok(CatalogUpdateResponse {
            plans,
            features,
            rewards: Vec::new(),
            referral_programs: Vec::new(),
        })
    }

    fn current_plan(&mut self, plan_id: &str, env: &str) -> Result<WirePlan, ApiError> {
        self.get_plan(
            &PlanGetParams {
                plan_id: plan_id.to_string(),
                version: None,
            },
            env,
        )
    }

    /// Removes what `desired` leaves out: a delete, unless the diff keeps the object
    /// (customers, or objects that use it), which Autumn refuses with "archive it instead".
    fn delete(&mut self, live: &Live, desired: Catalog) -> Result<(), ApiError> {
        let desired = self.compiled(desired)?;
        let plan = desired.diff(live);
        if let Some(change) = plan
            .changes
            .iter()
            .find(|change| change.action == Action::Archive)
        {
            let why = match &change.why {
                Reason::KeptForCustomers { customers: 0 } => "customers were on it".to_string(),
                Reason::KeptForCustomers { customers } => format!(
                    "{customers} customer{} on it",
                    if *customers == 1 { " is" } else { "s are" }
                ),
                Reason::KeptInUse { users } => format!(
                    "{} use{} it",
                    users
                        .iter()
                        .map(|user| format!("`{}`", user.address))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if users.len() == 1 { "s" } else { "" }
                ),
                other => reason_words(other),
            };
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                code::CHANGE_BLOCKED,
                format!(
                    "`{}` cannot be deleted: {why}; archive it instead (`archived: true`)",
                    change.address
                ),
            ));
        }
        self.apply_plan(&plan, &desired.catalog, true)
    }

    /// Makes the live catalog `desired` through the compiler, the diff and the apply of
    /// `pricectl apply`; removals only with `allow_destroy`.
    fn apply(
        &mut self,
        live: &Live,
        desired: Catalog,
        allow_destroy: bool,
    ) -> Result<(), ApiError> {
        let desired = self.compiled(desired)?;
        let plan = desired.diff(live);
        self.apply_plan(&plan, &desired.catalog, allow_destroy)
    }

    fn apply_plan(
        &mut self,
        plan: &ChangePlan,
        desired: &Catalog,
        allow_destroy: bool,
    ) -> Result<(), ApiError> {
        match apply(
            &mut self.store,
            plan,
            desired,
            ApplyOptions { allow_destroy },
        ) {
            Ok(_) => Ok(()),
            Err(ApplyError::Refused { refusals }) => Err(ApiError::new(
                StatusCode::CONFLICT,
                code::CHANGE_BLOCKED,
                refusals
                    .iter()
                    .map(|refusal| {
                        let (message, help) = refusal_words(refusal);
                        format!("{message} ({help})")
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            Err(ApplyError::Destructive { addresses, .. }) => Err(ApiError::new(
                StatusCode::CONFLICT,
                code::CHANGE_BLOCKED,
                format!(
                    "the change would delete or archive {}: remove it explicitly (`features.delete`, `plans.delete`, `archived: true`) or send `skip_deletions: false`",
                    addresses
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Err(error @ ApplyError::Incomplete(_)) => Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL_ERROR,
                error.to_string(),
            )),
        }
    }
}

/// What a catalog sent compiled to, with its fingerprint (what a plan of it records).
struct Compiled {
    catalog: Catalog,
    fingerprint: String,
}

impl Compiled {
    /// The plan that makes `live` this catalog: `diff` with the fingerprints both keep.
    fn diff(&self, live: &Live) -> ChangePlan {
        let fingerprints = Fingerprints {
            live: live.fingerprint().to_string(),
            pricing: self.fingerprint.clone(),
        };
        diff_fingerprinted(&self.catalog, live, fingerprints)
    }
}

/// `desired` written in the pricing language and compiled again: the very rules `pricectl
/// validate` and `apply` enforce (and their defaults) hold for what a client sends. An error
/// is a 400 naming each problem.
fn compiled(desired: &Catalog) -> Result<Catalog, ApiError> {
    let text = write_pricing_to_compile(desired);
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from("catalog.toml"), text);
    let compilation = crate::compile(sources);
    match compilation.catalog {
        Some(catalog) if compilation.error_count() == 0 => Ok(catalog),
        _ => Err(ApiError::invalid(
            compilation
                .diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.is_error())
                .map(|diagnostic| format!("{}: {}", diagnostic.code, diagnostic.message))
                .collect::<Vec<_>>()
                .join("; "),
        )),
    }
}

/// The catalog a `catalog.*` body asks for: its features and plans; what it leaves out is
/// kept when `skip_deletions` (or listed in `skip_*_ids`), else removed.
fn desired_from_update(params: &CatalogUpdateParams, live: &Catalog) -> Result<Catalog, ApiError> {
    if params.rewards.as_ref().is_some_and(|list| !list.is_empty())
        || params
            .referral_programs
            .as_ref()
            .is_some_and(|list| !list.is_empty())
    {
        return Err(ApiError::invalid(
            "rewards, referral_programs: pricectl's catalog has none; send empty lists",
        ));
    }
    let mut desired = Catalog {
        currency: if live.currency.is_empty() {
            DEFAULT_CURRENCY.to_string()
        } else {
            live.currency.clone()
        },
        features: BTreeMap::new(),
        credit_systems: BTreeMap::new(),
        plans: BTreeMap::new(),
    };
    for (index, feature) in params.features.iter().enumerate() {
        if params.skip_feature_ids.contains(&feature.feature_id) {
            continue;
        }
        if has_feature(&desired, &feature.feature_id) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::DUPLICATE_FEATURE_ID,
                format!("features[{index}]: `{}` is given twice", feature.feature_id),
            ));
        }
        insert_feature(
            &mut desired,
            feature_from_wire(feature, live, &format!("features[{index}]"))?,
        );
    }
    // What stays as it is: everything left out when nothing is deleted, else the skipped ids.
    let keep_feature = |id: &String| params.skip_deletions || params.skip_feature_ids.contains(id);
    for (id, feature) in &live.features {
        if keep_feature(id) && !has_feature(&desired, id) {
            desired.features.insert(id.clone(), feature.clone());
        }
    }
    for (id, system) in &live.credit_systems {
        if keep_feature(id) && !has_feature(&desired, id) {
            desired.credit_systems.insert(id.clone(), system.clone());
        }
    }
    for (index, plan) in params.plans.iter().enumerate() {
        if params.skip_plan_ids.contains(&plan.plan_id) {
            continue;
        }
        // Read against the catalog's features (sent, or kept): they decide items' resets.
        let read = plan_from_wire(
            plan,
            live.plans.get(&plan.plan_id),
            &desired.features,
            &format!("plans[{index}]"),
        )?;
        if desired.plans.insert(read.id.clone(), read).is_some() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::PRODUCT_ALREADY_EXISTS,
                format!("plans[{index}]: `{}` is given twice", plan.plan_id),
            ));
        }
    }
    for (id, plan) in &live.plans {
        if (params.skip_deletions || params.skip_plan_ids.contains(id))
            && !desired.plans.contains_key(id)
        {
            desired.plans.insert(id.clone(), plan.clone());
        }
    }
    Ok(desired)
}

/// The diff as `catalog.preview_update` answers it: every feature and plan of the body or of
/// the live catalog, with what would happen to it.
fn preview(
    plan: &Decisions,
    params: &CatalogUpdateParams,
    desired: &Catalog,
    live: &LiveState,
    env: &str,
) -> CatalogPreview {
    // Each object's first change, and the objects refused, looked up by address: a search
    // through every change for every object cost the square of the catalog's size.
    let mut changes: BTreeMap<&Address, &Change> = BTreeMap::new();
    for change in &plan.changes {
        changes.entry(&change.address).or_insert(change);
    }
    let change_of = |address: &Address| changes.get(address).copied();
    let refused: BTreeSet<&Address> = plan
        .refusals
        .iter()
        .filter_map(|refusal| refusal.address.as_ref())
        .collect();
    let blocked = |address: &Address| refused.contains(address);
    let mut wire_features: BTreeMap<String, WireFeature> = BTreeMap::new();
    for feature in features_to_wire(desired) {
        wire_features.entry(feature.id.clone()).or_insert(feature);
    }
    let mut feature_ids: Vec<(String, ObjectKind)> = Vec::new();
    for catalog in [desired, &live.catalog] {
        feature_ids.extend(
            catalog
                .features
                .keys()
                .map(|id| (id.clone(), ObjectKind::Feature)),
        );
        feature_ids.extend(
            catalog
                .credit_systems
                .keys()
                .map(|id| (id.clone(), ObjectKind::CreditSystem)),
        );
    }
    feature_ids.sort();
    feature_ids.dedup();
    let feature_changes = feature_ids
        .into_iter()
        .map(|(id, kind)| {
            let address = Address::object(kind, id.clone());
            let change = change_of(&address);
            let action = if params.skip_feature_ids.contains(&id) {
                FeatureAction::Skipped
            } else {
                match change.map(|change| change.action) {
                    None => FeatureAction::None,
                    Some(Action::Create) => FeatureAction::Create,
                    Some(Action::Update | Action::NewVersion) => FeatureAction::Update,
                    Some(Action::Delete | Action::Archive) => FeatureAction::Remove,
                }
            };
            let is_blocked = blocked(&address);
            FeatureChange {
                feature: wire_features.get(&id).cloned(),
                feature_id: id,
                action,
                will_archive: change.is_some_and(|change| change.action == Action::Archive),
                blocked: is_blocked,
                blocked_reason: is_blocked.then_some(BlockedReason::UnsupportedDependency),
                previous_attributes: change.and_then(previous_attributes),
            }
        })
        .collect();
    let mut plan_ids: Vec<&String> = desired
        .plans
        .keys()
        .chain(live.catalog.plans.keys())
        .collect();
    plan_ids.sort();
    plan_ids.dedup();
    let plan_changes = plan_ids
        .into_iter()
        .map(|id| {
            let address = Address::plan(id.clone());
            let change = change_of(&address);
            let live_plan = live.plans.get(id);
            let customers = live_plan.map_or(0, crate::live::LivePlan::customers_on_current);
            let other_versions = live_plan
                .map(|live_plan| {
                    live_plan
                        .customers_by_version
                        .iter()
                        .filter(|(version, _)| **version != live_plan.version)
                        .map(|(version, customers)| OtherVersion {
                            plan_id: id.clone(),
                            version: *version,
                            has_customers: *customers > 0,
                            customer_count: *customers,
                            versionable: false,
                            customize: None,
                            previous_attributes: None,
                            item_changes: Vec::new(),
                            license_changes: Vec::new(),
                            conflicts: Vec::new(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let action = if params.skip_plan_ids.contains(id) {
                PlanAction::Skipped
            } else {
                match change.map(|change| change.action) {
                    None => PlanAction::None,
                    Some(Action::Create) => PlanAction::Created,
                    Some(Action::Update | Action::NewVersion) => PlanAction::Updated,
                    Some(Action::Delete | Action::Archive) => PlanAction::Deleted,
                }
            };
            let version = live.plans.get(id).map_or(1, |plan| plan.version);
            let wire = desired
                .plans
                .get(id)
                .map(|plan| plan_to_wire(plan, &desired.features, version, 0, env));
            // Only an update says what it does to items and price (Autumn answers a new or
            // removed plan with none).
            let before = live
                .catalog
                .plans
                .get(id)
                .filter(|_| action == PlanAction::Updated)
                .map(|plan| plan_to_wire(plan, &live.catalog.features, version, 0, env));
            let (item_changes, price_change) = match (&before, &wire) {
                (Some(before), Some(after)) => {
                    (item_changes(before, after), price_change(before, after))
                }
                _ => (Vec::new(), None),
            };
            PlanChange {
                plan_id: id.clone(),
                plan: wire,
                action,
                versionable: change.is_some_and(|change| change.action == Action::NewVersion),
                has_customers: customers > 0,
                customer_count: customers,
                will_archive: change.is_some_and(|change| change.action == Action::Archive),
                previous_attributes: change.and_then(previous_attributes),
                customize: None,
                price_change,
                item_changes,
                license_changes: Vec::new(),
                license_parents: Vec::new(),
                variants: Vec::new(),
                other_versions,
            }
        })
        .collect();
    CatalogPreview {
        feature_changes,
        plan_changes,
        reward_changes: Vec::new(),
        referral_program_changes: Vec::new(),
    }
}

/// The fields a change touches, with their live values (`previous_attributes`).
fn previous_attributes(change: &Change) -> Option<serde_json::Map<String, serde_json::Value>> {
    (!change.fields.is_empty()).then(|| {
        change
            .fields
            .iter()
            .map(|field| {
                (
                    field.path.clone(),
                    field.before.clone().unwrap_or(serde_json::Value::Null),
                )
            })
            .collect()
    })
}

/// A plan's current wire form with an update's fields laid over it.
fn merge_plan(current: &Plan, params: &PlanParams, live: &LiveState, env: &str) -> PlanParams {
    let version = live.plans.get(&current.id).map_or(1, |plan| plan.version);
    let wire = plan_to_wire(current, &live.catalog.features, version, 0, env);
    PlanParams {
        plan_id: current.id.clone(),
        name: params.name.clone().or(Some(wire.name)),
        description: params.description.clone().or(Some(wire.description)),
        group: params.group.clone().or(wire.group),
        add_on: params.add_on.or(Some(wire.add_on)),
        auto_enable: params.auto_enable.or(Some(wire.auto_enable)),
        price: params.price.clone().or(Some(wire.price)),
        items: params.items.clone().or_else(|| {
            Some(
                wire.items
                    .into_iter()
                    .map(|item| PlanItemParams {
                        feature_id: item.feature_id,
                        included: Some(item.included),
                        unlimited: Some(item.unlimited),
                        pooled: None,
                        reset: item.reset,
                        price: item.price,
                        proration: item.proration,
                        rollover: item.rollover,
                        expiry: Some(item.expiry),
                        entity_feature_id: item.entity_feature_id,
                    })
                    .collect(),
            )
        }),
        free_trial: params.free_trial.clone().or(Some(wire.free_trial)),
        // Lanes left out keep the plan's controls (read against the live plan).
        billing_controls: params.billing_controls.clone(),
        metadata: params.metadata.clone(),
        ..PlanParams::default()
    }
}

fn has_feature(catalog: &Catalog, id: &str) -> bool {
    catalog.features.contains_key(id) || catalog.credit_systems.contains_key(id)
}

fn insert_feature(catalog: &mut Catalog, feature: CatalogFeature) {
    match feature {
        CatalogFeature::Feature(feature) => {
            catalog.features.insert(feature.id.clone(), feature);
        }
        CatalogFeature::CreditSystem(system) => {
            catalog.credit_systems.insert(system.id.clone(), system);
        }
    }
}

fn remove_feature(catalog: &mut Catalog, id: &str) {
    catalog.features.remove(id);
    catalog.credit_systems.remove(id);
}

fn feature_not_found(id: &str) -> ApiError {
    ApiError::not_found(code::FEATURE_NOT_FOUND, format!("no feature `{id}`"))
}

fn plan_not_found(id: &str) -> ApiError {
    ApiError::not_found(code::PRODUCT_NOT_FOUND, format!("no plan `{id}`"))
}

/// One stored version of a plan.
struct PlanVersion {
    plan: Plan,
    version: u32,
    created_at: i64,
}

impl PlanVersion {
    fn to_wire(&self, live: &LiveState, env: &str) -> WirePlan {
        let mut plan = self.plan.clone();
        // Archiving applies to the plan, every version.
        plan.archived = live
            .catalog
            .plans
            .get(&plan.id)
            .is_some_and(|live| live.archived);
        plan_to_wire(
            &plan,
            &live.catalog.features,
            self.version,
            self.created_at,
            env,
        )
    }
}

/// When each stored version of each plan was created, by (plan id, version).
fn versions_created_at(connection: &Connection) -> Result<BTreeMap<(String, u32), i64>, ApiError> {
    let read = || -> rusqlite::Result<BTreeMap<(String, u32), i64>> {
        connection
            .prepare_cached("SELECT plan_id, version, created_at FROM plan_versions")?
            .query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))?
            .collect()
    };
    read().map_err(|error| sql_failed(&error))
}

/// The stored version `version` of plan `plan_id`, if there is one.
fn plan_version(
    connection: &Connection,
    plan_id: &str,
    version: u32,
) -> Result<Option<PlanVersion>, ApiError> {
    let read = || -> rusqlite::Result<Option<(String, i64)>> {
        connection
            .prepare_cached(
                "SELECT definition, created_at FROM plan_versions WHERE plan_id = ?1 AND version = ?2",
            )?
            .query_row(rusqlite::params![plan_id, version], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
    };
    let Some((definition, created_at)) = read().map_err(|error| sql_failed(&error))? else {
        return Ok(None);
    };
    serde_json::from_str(&definition)
        .map(|plan| {
            Some(PlanVersion {
                plan,
                version,
                created_at,
            })
        })
        .map_err(|error| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL_ERROR,
                format!("a stored plan version cannot be read: {error}"),
            )
        })
}

impl CatalogService {
    /// Every customer's id and creation time (Unix milliseconds), the newest first, as
    /// Autumn lists them (`ORDER BY c.created_at DESC, c.id DESC`,
    /// `cursorPaginatedFullCusQuery.ts`).
    pub fn customers_newest_first(&mut self) -> Result<Vec<(String, i64)>, ApiError> {
        let connection = self.store.store().connection();
        let read = || -> rusqlite::Result<Vec<(String, i64)>> {
            let mut statement = connection.prepare(
                "SELECT id, created_at FROM customers ORDER BY created_at DESC, id DESC",
            )?;
            statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        };
        read().map_err(|error| sql_failed(&error))
    }
}

/// A failed read of the store, as the 500 it answers.
fn sql_failed(error: &rusqlite::Error) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        code::INTERNAL_ERROR,
        error.to_string(),
    )
}
