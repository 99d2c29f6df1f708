//! Reading Autumn's live catalog: features, every plan version (archived ones included),
//! the customers on each version, and what pricectl cannot express, set aside and named.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::thread::JoinHandle;

use serde_json::Value;

use super::call_error::CallError;
use super::client::Client;
use super::preview::SentPreview;
use crate::autumn::mapping::{
    CatalogFeature, METADATA_KEY, feature_from_answer, plan_from_answer_setting_aside,
};
use crate::autumn::wire::billing_controls::BillingControls;
use crate::autumn::wire::catalog::{CatalogPreview, CatalogUpdateParams, List, RewardList};
use crate::autumn::wire::feature::Feature as WireFeature;
use crate::autumn::wire::organization::Organization;
use crate::autumn::wire::plan::{Plan as WirePlan, PlanListParams};
use crate::backend::BackendError;
use crate::catalog::Address;
use crate::live::{LivePlan, LiveState, Unmanaged};

/// Autumn's catalog as read, with the answers each catalog object came from.
pub struct Snapshot {
    pub state: LiveState,
    /// Each plan's current version as Autumn answered it: an update starts from it, so what
    /// pricectl does not manage (its other metadata) is sent back unchanged.
    pub plan_answers: BTreeMap<String, WirePlan>,
    /// Objects set aside whole (shapes pricectl cannot express), by address: no change may
    /// touch them.
    pub set_aside: BTreeMap<Address, String>,
    /// Plan items or fields an update would drop: a change to their plan is refused.
    pub would_drop: BTreeMap<Address, Vec<String>>,
    /// Each plan's billing controls the language cannot say, by plan id: an update of the
    /// plan sends them back as they are.
    pub kept_controls: BTreeMap<String, BillingControls>,
    /// Autumn's preview of the pricing, sent with the reads when asked to, with its body.
    pub preview: Option<SentPreview>,
}

/// What to read beyond the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The catalog and its objects only (what an apply checks changes against).
    Catalog,
    /// Also the customers on each plan version and the rewards and referral programs, for a
    /// plan.
    Everything,
}

/// Reads the live catalog ([`PendingRead`], sent and waited for).
pub fn read(client: &Arc<Client>, depth: Depth) -> Result<Snapshot, BackendError> {
    PendingRead::send(client, depth).wait()
}

/// A read of the live catalog on its way. Its reads are independent of each other, so they
/// are sent at once, each from its own thread (paced and retried by the one client as any
/// request is): the read takes one round trip, not one per request, and the caller may do
/// other work (compile the pricing) while it travels. The first error in request order is
/// the one [`PendingRead::wait`] returns, however the answers raced.
pub struct PendingRead {
    features: Answer<FeatureList>,
    plans: Answer<List<Value>>,
    organization: Answer<Organization>,
    /// The customer counts, rewards and referral programs, at [`Depth::Everything`].
    beyond: Option<Beyond>,
    preview: Option<SentPreview>,
}

/// The answer of a request sent from its own thread.
type Answer<T> = JoinHandle<Result<T, CallError>>;

/// The answers of the reads beyond the catalog: the customer counts, the rewards and the
/// referral programs.
type Beyond = (
    Answer<CatalogPreview>,
    Answer<RewardList>,
    Answer<List<Value>>,
);

/// `request` sent by `client` from a thread of its own.
fn sent<T: Send + 'static>(
    client: &Arc<Client>,
    request: fn(&Client) -> Result<T, CallError>,
) -> Answer<T> {
    let client = Arc::clone(client);
    std::thread::spawn(move || request(&client))
}

impl PendingRead {
    /// Sends the reads of `depth`.
    pub fn send(client: &Arc<Client>, depth: Depth) -> PendingRead {
        PendingRead {
            features: sent(client, features_list),
            plans: sent(client, |client| {
                client.call::<List<Value>>(
                    "plans.list",
                    &PlanListParams {
                        include_archived: true,
                        all_versions: true,
                    },
                    None,
                )
            }),
            organization: sent(client, |client| {
                client.get::<Organization>("organization/me")
            }),
            beyond: (depth == Depth::Everything).then(|| {
                (
                    sent(client, customers_preview),
                    sent(client, |client| {
                        client.call::<RewardList>("rewards.list", &serde_json::json!({}), None)
                    }),
                    sent(client, |client| {
                        client.call::<List<Value>>(
                            "referral_programs.list",
                            &serde_json::json!({}),
                            None,
                        )
                    }),
                )
            }),
            preview: None,
        }
    }

    /// Autumn's preview of the pricing, sent after the reads (so Autumn answers them first),
    /// goes in the snapshot.
    pub fn preview(&mut self, preview: SentPreview) {
        self.preview = Some(preview);
    }

    /// Waits for the reads (not the preview) and reads the live catalog from them.
    pub fn wait(self) -> Result<Snapshot, BackendError> {
        let answers = (|| {
            // Joined in request order, so the first error by that order wins.
            let features = joined(self.features)?;
            let plans = joined(self.plans)?;
            let organization = joined(self.organization)?;
            let beyond = match self.beyond {
                Some((customers, rewards, programs)) => {
                    Some((joined(customers)?, joined(rewards)?, joined(programs)?))
                }
                None => None,
            };
            Ok::<_, CallError>((features, plans, organization, beyond))
        })();
        let (features, plans, organization, beyond) =
            answers.map_err(|error| error.into_backend_error(None))?;
        Ok(snapshot(
            features,
            plans,
            organization,
            beyond,
            self.preview,
        ))
    }
}

/// The live catalog from the reads' answers.
fn snapshot(
    features: FeatureList,
    plans: List<Value>,
    organization: Organization,
    beyond: Option<(CatalogPreview, RewardList, List<Value>)>,
    preview: Option<SentPreview>,
) -> Snapshot {
    let mut reader = Reader::default();
    // Amounts are in the organization's default currency (Autumn's own default is USD).
    reader.state.catalog.currency = organization.default_currency.map_or_else(
        || "USD".to_string(),
        |currency| currency.to_ascii_uppercase(),
    );
    match features {
        FeatureList::Read(features) => {
            for (index, feature) in features.into_iter().enumerate() {
                reader.feature_read(index, feature);
            }
        }
        FeatureList::Values(answers) => {
            for (index, answer) in answers.into_iter().enumerate() {
                reader.feature(index, answer);
            }
        }
    }
    let mut versions: BTreeMap<String, Vec<(u32, Value)>> = BTreeMap::new();
    for (index, answer) in plans.list.into_iter().enumerate() {
        let id = answer.get("id").and_then(Value::as_str).map(str::to_string);
        let version = answer
            .get("version")
            .and_then(Value::as_u64)
            .and_then(|version| u32::try_from(version).ok());
        match (id, version) {
            (Some(id), Some(version)) => versions.entry(id).or_default().push((version, answer)),
            _ => reader.unreadable(
                format!("plans[{index}]"),
                "a plan without an id or version".into(),
            ),
        }
    }
    for (id, mut list) in versions {
        list.sort_by_key(|(version, _)| *version);
        reader.plan(&id, list);
    }
    if let Some((preview, rewards, programs)) = beyond {
        reader.customers(&preview);
        reader.rewards(&rewards, &programs);
    }
    reader.state.unmanaged.sort();
    Snapshot {
        state: reader.state,
        plan_answers: reader.plan_answers,
        set_aside: reader.set_aside,
        would_drop: reader.would_drop,
        kept_controls: reader.kept_controls,
        preview,
    }
}

/// The features of a `features.list` answer: read whole when each is a feature pricectl
/// reads (one pass over the answer, no values built), else as values, each read on its own
/// so one unreadable feature is set aside and the others read.
enum FeatureList {
    Read(Vec<WireFeature>),
    Values(Vec<Value>),
}

fn features_list(client: &Client) -> Result<FeatureList, CallError> {
    const ROUTE: &str = "features.list";
    let answer = client.call_for_body(ROUTE, &serde_json::json!({}), None)?;
    if let Ok(read) = serde_json::from_slice::<List<WireFeature>>(&answer) {
        return Ok(FeatureList::Read(read.list));
    }
    let values = client.read_answer::<List<Value>>(ROUTE, &answer)?;
    Ok(FeatureList::Values(values.list))
}

/// Autumn's preview of removing everything: for each plan, the customers on its current
/// version (`customer_count`) and on each other version (`other_versions`), and whether it
/// has ever had customers (`will_archive`: removed, it would be archived, not deleted).
/// Nothing is changed; Autumn has no other call that counts customers per plan version.
/// Sent whether or not there are plans: it goes with the lists, before they are read.
fn customers_preview(client: &Client) -> Result<CatalogPreview, CallError> {
    let body = CatalogUpdateParams {
        features: Vec::new(),
        plans: Vec::new(),
        rewards: Some(Vec::new()),
        referral_programs: Some(Vec::new()),
        skip_deletions: false,
        skip_feature_ids: Vec::new(),
        skip_plan_ids: Vec::new(),
    };
    client.call("catalog.preview_update", &body, None)
}

/// The answer of a read sent from its own thread; a thread that stopped without one (it
/// cannot, as nothing in a request panics) is a read without an answer.
fn joined<T>(thread: Answer<T>) -> Result<T, CallError> {
    thread.join().unwrap_or_else(|_| {
        Err(CallError::NoAnswer {
            detail: "the thread sending the request stopped".into(),
        })
    })
}

struct Reader {
    state: LiveState,
    plan_answers: BTreeMap<String, WirePlan>,
    set_aside: BTreeMap<Address, String>,
    would_drop: BTreeMap<Address, Vec<String>>,
    kept_controls: BTreeMap<String, BillingControls>,
    /// Plan id → version → the features its items grant.
    versions: BTreeMap<String, BTreeMap<u32, BTreeSet<String>>>,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            state: LiveState::empty(""),
            plan_answers: BTreeMap::new(),
            set_aside: BTreeMap::new(),
            would_drop: BTreeMap::new(),
            kept_controls: BTreeMap::new(),
            versions: BTreeMap::new(),
        }
    }
}

impl Reader {
    fn unmanaged(&mut self, place: String, what: String, whole_object: bool) {
        self.state.unmanaged.push(Unmanaged {
            place,
            what,
            whole_object,
        });
    }

    fn unreadable(&mut self, place: String, what: String) {
        self.unmanaged(place, what, true);
    }

    fn set_aside(&mut self, address: Address, why: String) {
        self.unmanaged(address.to_string(), why.clone(), true);
        self.set_aside.insert(address, why);
    }

    fn feature(&mut self, index: usize, answer: Value) {
        let id = answer
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let address = Address::feature(&id);
        let parsed: Result<WireFeature, _> = serde_json::from_value(answer);
        match parsed {
            Ok(feature) => self.feature_read(index, feature),
            Err(error) if id.is_empty() => {
                self.unreadable(format!("features[{index}]"), error.to_string());
            }
            Err(error) => {
                self.set_aside(address, format!("a feature pricectl cannot read: {error}"));
            }
        }
    }

    /// The feature at `index` of the answer, read.
    fn feature_read(&mut self, index: usize, feature: WireFeature) {
        let address = Address::feature(&feature.id);
        match feature_from_answer(&feature, &format!("features[{index}]")) {
            Ok(CatalogFeature::Feature(read)) => {
                self.state.catalog.features.insert(feature.id, read);
            }
            Ok(CatalogFeature::CreditSystem(system)) => {
                self.state.catalog.credit_systems.insert(feature.id, system);
            }
            Err(error) => self.set_aside(address, error.to_string()),
        }
    }

    /// One plan from its versions, oldest first: the newest is current.
    fn plan(&mut self, id: &str, versions: Vec<(u32, Value)>) {
        let address = Address::plan(id);
        let Some((current, _)) = versions.last() else {
            return;
        };
        let current = *current;
        let mut items_by_version: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
        let mut current_answer = None;
        for (version, mut answer) in versions {
            if let Some(items) = answer.get("items").and_then(Value::as_array) {
                items_by_version.insert(
                    version,
                    items
                        .iter()
                        .filter_map(|item| item.get("feature_id").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect(),
                );
            }
            if version == current {
                let notes = Reader::plan_notes(id, &mut answer);
                current_answer = Some((answer, notes));
            }
        }
        let Some((answer, notes)) = current_answer else {
            return;
        };
        let parsed: Result<WirePlan, _> = serde_json::from_value(answer);
        let wire = match parsed {
            Ok(wire) => wire,
            Err(error) => {
                return self.set_aside(address, format!("a plan pricectl cannot read: {error}"));
            }
        };
        let mut bare = wire.clone();
        bare.metadata.retain(|key, _| key == METADATA_KEY);
        // The features were read first: an allocated feature's item has no reset.
        let read = plan_from_answer_setting_aside(
            &bare,
            &self.state.catalog.features,
            &format!("plan `{id}`"),
        );
        match read {
            Ok((plan, set_aside)) => {
                self.state.catalog.plans.insert(id.to_string(), plan);
                self.state.plans.insert(
                    id.to_string(),
                    LivePlan {
                        version: current,
                        customers_by_version: BTreeMap::new(),
                        customers_ever: 0,
                    },
                );
                self.plan_answers.insert(id.to_string(), wire);
                for (place, what, drops) in notes {
                    if drops {
                        self.would_drop
                            .entry(address.clone())
                            .or_default()
                            .push(format!("{what} ({place})"));
                    }
                    self.unmanaged(place, what, false);
                }
                // Sent back with every update of the plan, so they are never dropped.
                for note in set_aside.notes {
                    self.unmanaged(
                        note.place,
                        format!("{} (`{}`)", note.what, note.field),
                        false,
                    );
                }
                if !set_aside.controls.is_empty() {
                    self.kept_controls
                        .insert(id.to_string(), set_aside.controls);
                }
                self.versions.insert(id.to_string(), items_by_version);
            }
            Err(error) => self.set_aside(address, error.to_string()),
        }
    }

    /// What a plan answer holds beside what the catalog maps, taken out of `answer` where
    /// the mapping would refuse it: (place, what, whether an update of the plan drops it).
    fn plan_notes(id: &str, answer: &mut Value) -> Vec<(String, String, bool)> {
        let mut notes = Vec::new();
        let place = format!("plan.{id}");
        if let Some(Value::Object(metadata)) = answer.get("metadata") {
            let others: Vec<&String> = metadata.keys().filter(|key| *key != METADATA_KEY).collect();
            if !others.is_empty() {
                notes.push((
                    place.clone(),
                    format!("metadata ({})", join(&others)),
                    false,
                ));
            }
        }
        if answer
            .pointer("/config/ignore_past_due")
            .is_some_and(|value| value == &Value::Bool(true))
        {
            notes.push((place.clone(), "`config.ignore_past_due`".into(), false));
            if let Some(config) = answer.get_mut("config") {
                *config = serde_json::json!({});
            }
        }
        if answer.get("base_variant_id").is_some_and(is_set) {
            notes.push((place.clone(), "a variant of another plan".into(), false));
        }
        let known_item_keys = [
            "feature_id",
            "included",
            "unlimited",
            "reset",
            "price",
            "proration",
            "rollover",
            "expiry",
            "feature",
            "display",
        ];
        if let Some(items) = answer.get_mut("items").and_then(Value::as_array_mut) {
            for item in items {
                let feature = item
                    .get("feature_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let Some(object) = item.as_object_mut() else {
                    continue;
                };
                let extra: Vec<String> = object
                    .iter()
                    .filter(|(key, value)| {
                        !known_item_keys.contains(&key.as_str()) && is_set(value)
                    })
                    .map(|(key, _)| key.clone())
                    .collect();
                if !extra.is_empty() {
                    notes.push((
                        format!("{place}.item.{feature}"),
                        join(&extra.iter().collect::<Vec<_>>()),
                        true,
                    ));
                }
                if object
                    .get("rollover")
                    .and_then(|rollover| rollover.get("max_percentage"))
                    .is_some_and(is_set)
                {
                    object.remove("rollover");
                    notes.push((
                        format!("{place}.item.{feature}"),
                        "a rollover maximum in percent of the grant (`rollover.max_percentage`)"
                            .into(),
                        true,
                    ));
                }
                if let Some(Value::Object(price)) = object.get_mut("price") {
                    let currencies = price.get("additional_currencies").is_some_and(is_set);
                    price.remove("additional_currencies");
                    if currencies {
                        notes.push((
                            format!("{place}.item.{feature}"),
                            "amounts in other currencies (`additional_currencies`)".into(),
                            true,
                        ));
                    }
                }
            }
        }
        if let Some(Value::Object(price)) = answer.get_mut("price") {
            let currencies = price.get("additional_currencies").is_some_and(is_set);
            price.remove("additional_currencies");
            if currencies {
                notes.push((
                    place,
                    "base price in other currencies (`additional_currencies`)".into(),
                    true,
                ));
            }
        }
        notes
    }

    /// Customer counts from Autumn's preview of removing everything.
    fn customers(&mut self, preview: &CatalogPreview) {
        for change in &preview.plan_changes {
            let Some(live) = self.state.plans.get_mut(&change.plan_id) else {
                continue;
            };
            let mut counts = BTreeMap::new();
            if change.customer_count > 0 {
                counts.insert(live.version, change.customer_count);
            }
            for other in &change.other_versions {
                if other.customer_count > 0 && other.version != live.version {
                    counts.insert(other.version, other.customer_count);
                }
            }
            let now: u64 = counts.values().sum();
            live.customers_by_version = counts;
            // Autumn archives a removed plan that has or had customers: it has a history.
            live.customers_ever = if change.will_archive { now.max(1) } else { now };
        }
        let versions = std::mem::take(&mut self.versions);
        for (id, items_by_version) in versions {
            let Some(live) = self.state.plans.get(&id) else {
                continue;
            };
            for (version, items) in items_by_version {
                if version != live.version && live.customers_by_version.contains_key(&version) {
                    self.state
                        .grandfathered
                        .entry(id.clone())
                        .or_default()
                        .extend(items);
                }
            }
        }
    }

    /// Rewards and referral programs: the language has neither.
    fn rewards(&mut self, rewards: &RewardList, programs: &List<Value>) {
        let counted = [
            (rewards.coupons.len(), "coupon"),
            (rewards.feature_grants.len(), "feature grant"),
        ];
        let said: Vec<String> = counted
            .iter()
            .filter(|(count, _)| *count > 0)
            .map(|(count, noun)| format!("{count} {noun}{}", if *count == 1 { "" } else { "s" }))
            .collect();
        if !said.is_empty() {
            self.unmanaged("rewards".into(), said.join(", "), false);
        }
        if !programs.list.is_empty() {
            let count = programs.list.len();
            self.unmanaged(
                "referral programs".into(),
                format!(
                    "{count} referral program{}",
                    if count == 1 { "" } else { "s" }
                ),
                false,
            );
        }
    }
}

/// A value that says something: not `null`, `false`, `0`, `""`, `[]` or `{}`.
fn is_set(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::Number(number) => number.as_f64().is_none_or(|number| number != 0.0),
        Value::String(text) => !text.is_empty(),
        Value::Array(list) => !list.is_empty(),
        Value::Object(object) => object.values().any(is_set),
        Value::Bool(true) => true,
    }
}

fn join(keys: &[&String]) -> String {
    keys.iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
