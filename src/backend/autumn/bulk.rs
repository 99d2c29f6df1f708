//! Applying a plan through Autumn's `catalog.update`, the request `atmn push` makes: a run of
//! the plan's creates and updates of features, credit systems and plans goes in one request
//! (`skip_deletions: true` and only the objects that change, so nothing else is touched; at
//! most [`MOST_OBJECTS`] objects and [`MOST_BYTES`] bytes a request),
//! with one `Idempotency-Key` derived from the plan and the changes it carries. What the
//! request cannot say (deletes, archives, un-archiving) goes change by change, in the plan's
//! order, as [`ApplyMode::PerObject`](crate::backend::ApplyMode) sends everything.
//!
//! What Autumn does with such a body (its server, `server/src/internal/catalog/actions/
//! updateCatalog/updateCatalog.ts`): features are upserted in the order given, so features go
//! before the credit systems that price them; a feature update Autumn blocks (a type change of
//! a feature with a usage price, customers, or a credit system using it) is skipped silently;
//! then plans are upserted through the same `updateProduct` as `plans.update`, so a plan with
//! customers gets a new version exactly as it would alone; with `skip_deletions` nothing left
//! out is removed, and rewards left out are left alone. It is not one transaction. So after
//! each request pricectl reads the catalog again and counts a change applied only when its
//! object is live as the plan says. A change the request did not make is tried alone through
//! its own endpoint, where Autumn's refusal names it, and the apply stops there; when the
//! request failed for Autumn or the network (a 5xx, no answer, after the retries), each change
//! it carried and did not make failed with it.

use std::sync::Arc;

use serde::Serialize;

use super::apply::{
    batch_idempotency_key, checked, feature_create_body, idempotency_key, perform, plan_update_body,
};
use super::call_error::CallError;
use super::client::Client;
use super::fetch::{self, Depth, Snapshot};
use crate::autumn::mapping::{Features, plan_body};
use crate::autumn::wire::catalog::CatalogUpdateParams;
use crate::autumn::wire::feature::FeatureParams;
use crate::autumn::wire::plan::PlanParams;
use crate::backend::change_shape::rejected;
use crate::backend::{
    ApplyProgress, ApplyReport, BackendError, ChangeReport, ChangeStatus, ErrorKind,
};
use crate::catalog::{Catalog, ObjectKind};
use crate::diff::{Action, Change, ObjectState, Plan};

/// At most this many objects go in one `catalog.update` unless the backend is told otherwise
/// ([`AutumnBackend::with_most_objects_per_request`](super::AutumnBackend::with_most_objects_per_request)).
/// `atmn push` sends a whole catalog in one request; pricectl cuts a larger catalog into
/// requests of this many, so a failure leaves at most these to read back and try alone, and
/// one request stays within a try's `bulk_timeout`. Each request costs a server a compile of
/// the catalog (`pricectl serve`) and pricectl a read of it afterwards, so fewer is faster:
/// the benchmark's 705 objects go in one.
pub const MOST_OBJECTS: usize = 1000;

/// At most about this many bytes of objects go in one `catalog.update` (`pricectl serve`
/// takes bodies up to 4 MiB).
pub const MOST_BYTES: usize = 2 * 1024 * 1024;

/// Performs the plan's changes in order: runs that `catalog.update` can say in one request
/// each, the rest alone. Stops at the first change that fails; the changes after it are not
/// attempted. With the report comes the whole live state as read after the last write, when
/// the apply ended with a bulk request and its read (nothing was written after it): the
/// read that verifies the apply need not be sent again.
pub fn apply(
    client: &Arc<Client>,
    snapshot: &Snapshot,
    features: &Features,
    plan: &Plan,
    most_objects: usize,
    progress: &mut dyn ApplyProgress,
) -> (ApplyReport, Option<Snapshot>) {
    let mut applier = Applier {
        client,
        snapshot,
        features,
        plan,
        most_objects: most_objects.max(1),
        progress,
        statuses: Vec::with_capacity(plan.changes.len()),
        stopped: false,
        read_after_last_write: None,
    };
    while !applier.stopped && applier.statuses.len() < plan.changes.len() {
        let index = applier.statuses.len();
        let change = &plan.changes[index];
        if expressible(change) {
            applier.batch_from(index);
        } else {
            applier.alone(index);
        }
    }
    let mut changes: Vec<ChangeReport> = Vec::with_capacity(plan.changes.len());
    for (change, status) in plan.changes.iter().zip(applier.statuses) {
        changes.push(ChangeReport::new(change, status));
    }
    for change in &plan.changes[changes.len()..] {
        changes.push(ChangeReport::new(change, ChangeStatus::NotAttempted));
    }
    let report = ApplyReport {
        changes,
        failure: None,
    };
    (report, applier.read_after_last_write)
}

/// Whether `catalog.update` can make `change`: a create, or an update that neither archives
/// nor un-archives, of a feature, credit system or plan. (Its features carry no `archived`,
/// and Autumn keeps a feature's; archives and removals stay explicit changes.)
pub fn expressible(change: &Change) -> bool {
    let archived = |state: &ObjectState| match state {
        ObjectState::Feature(feature) => Some(feature.archived),
        ObjectState::CreditSystem(system) => Some(system.archived),
        ObjectState::Plan(plan) => Some(plan.archived),
        ObjectState::Item(_) => None,
    };
    match (change.action, &change.before, &change.after) {
        (Action::Create, None, Some(after)) => archived(after) == Some(false),
        (Action::Update | Action::NewVersion, Some(before), Some(after)) => {
            archived(before).is_some() && archived(before) == archived(after)
        }
        _ => false,
    }
}

/// An object as a `catalog.update` body carries it.
#[derive(Serialize)]
#[serde(untagged)]
enum BulkObject {
    Feature(FeatureParams),
    Plan(Box<PlanParams>),
}

/// What `change` sends in a `catalog.update`, once it passed the checks every change passes.
fn bulk_object(
    snapshot: &Snapshot,
    features: &Features,
    change: &Change,
) -> Result<BulkObject, BackendError> {
    let object = checked(snapshot, change)?;
    match object {
        ObjectState::Feature(_) | ObjectState::CreditSystem(_) => feature_create_body(object)
            .map(BulkObject::Feature)
            .ok_or_else(|| rejected(change, "not a feature")),
        ObjectState::Plan(plan) if change.action == Action::Create => {
            Ok(BulkObject::Plan(Box::new(plan_body(plan, features))))
        }
        ObjectState::Plan(plan) => plan_update_body(snapshot, features, change, plan)
            .map(|body| BulkObject::Plan(Box::new(body))),
        ObjectState::Item(_) => Err(rejected(change, "items change with their plan")),
    }
}

/// How many bytes `object` takes written as JSON, counted as it is written (no copy of it
/// is kept); 0 if it cannot be written (the request body then fails as it is written).
fn written_size(object: &impl Serialize) -> usize {
    /// Counts what is written and keeps none of it.
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, object) {
        Ok(()) => counter.0,
        Err(_) => 0,
    }
}

/// Whether `catalog` holds the object `change` makes, as the plan says it will be.
fn holds(catalog: &Catalog, change: &Change) -> bool {
    let id = change.address.id();
    match &change.after {
        Some(ObjectState::Feature(after)) => catalog.features.get(id) == Some(after),
        Some(ObjectState::CreditSystem(after)) => catalog.credit_systems.get(id) == Some(after),
        Some(ObjectState::Plan(after)) => catalog.plans.get(id) == Some(after),
        Some(ObjectState::Item(_)) | None => false,
    }
}

/// An apply under way: each change's fate so far, in plan order.
struct Applier<'a> {
    client: &'a Arc<Client>,
    snapshot: &'a Snapshot,
    /// The features once the plan is applied: how each plan item's reset is said.
    features: &'a Features,
    plan: &'a Plan,
    /// At most so many objects in one request.
    most_objects: usize,
    progress: &'a mut dyn ApplyProgress,
    statuses: Vec<ChangeStatus>,
    /// A change failed: nothing more is attempted.
    stopped: bool,
    /// Everything read after the last write, if nothing was written since.
    read_after_last_write: Option<Snapshot>,
}

impl Applier<'_> {
    fn total(&self) -> usize {
        self.plan.changes.len()
    }

    /// The change at `index` through its own endpoint.
    fn alone(&mut self, index: usize) {
        let change = &self.plan.changes[index];
        self.progress.started(index, self.total(), change);
        let status = self.performed_alone(index);
        self.finish(index, status);
    }

    fn performed_alone(&mut self, index: usize) -> ChangeStatus {
        // A write: what was read before it is no longer the live state.
        self.read_after_last_write = None;
        let change = &self.plan.changes[index];
        let key = idempotency_key(self.plan, index, change);
        match perform(self.client, self.snapshot, self.features, &key, change) {
            Ok(()) => ChangeStatus::Applied,
            Err(error) => ChangeStatus::Failed(error),
        }
    }

    /// Records the fate of the change at `index` (the next without one) and tells progress.
    fn finish(&mut self, index: usize, status: ChangeStatus) {
        if matches!(status, ChangeStatus::Failed(_)) {
            self.stopped = true;
        }
        self.progress
            .finished(index, self.total(), &self.plan.changes[index], &status);
        self.statuses.push(status);
    }

    /// The run of changes from `index` that one `catalog.update` can carry, sent: it ends at a
    /// change the request cannot say, at a feature after a plan (Autumn upserts every feature
    /// of a body before its plans), at the size limits, or at a change that fails its checks
    /// (which fails there, after the run before it is sent).
    fn batch_from(&mut self, index: usize) {
        let mut batch: Vec<(usize, BulkObject)> = Vec::new();
        let mut bytes = 0;
        let mut holds_a_plan = false;
        let mut refused = None;
        for (next, change) in self.plan.changes.iter().enumerate().skip(index) {
            if !expressible(change) {
                break;
            }
            let is_plan = change.address.kind() == ObjectKind::Plan;
            if holds_a_plan && !is_plan {
                break;
            }
            let object = match bulk_object(self.snapshot, self.features, change) {
                Ok(object) => object,
                Err(error) => {
                    refused = Some((next, error));
                    break;
                }
            };
            let size = written_size(&object);
            if !batch.is_empty() && (batch.len() >= self.most_objects || bytes + size > MOST_BYTES)
            {
                break;
            }
            bytes += size;
            holds_a_plan |= is_plan;
            batch.push((next, object));
        }
        if !batch.is_empty() {
            self.send(batch);
        }
        if let Some((at, error)) = refused
            && !self.stopped
        {
            self.progress
                .started(at, self.total(), &self.plan.changes[at]);
            self.finish(at, ChangeStatus::Failed(error));
        }
    }

    /// One `catalog.update` carrying `batch`; then the catalog read again says which took.
    fn send(&mut self, batch: Vec<(usize, BulkObject)>) {
        let total = self.total();
        let indices: Vec<usize> = batch.iter().map(|(index, _)| *index).collect();
        for &index in &indices {
            self.progress
                .started(index, total, &self.plan.changes[index]);
        }
        let mut features = Vec::new();
        let mut plans = Vec::new();
        for (_, object) in batch {
            match object {
                BulkObject::Feature(feature) => features.push(feature),
                BulkObject::Plan(plan) => plans.push(*plan),
            }
        }
        let body = CatalogUpdateParams {
            features,
            plans,
            // Left out, Autumn leaves rewards and referral programs as they are.
            rewards: None,
            referral_programs: None,
            skip_deletions: true,
            skip_feature_ids: Vec::new(),
            skip_plan_ids: Vec::new(),
        };
        let key = batch_idempotency_key(self.plan, &indices);
        let sent = match self
            .client
            // Its answer (the whole catalog after the update) is only checked to be JSON: what
            // took is read back below.
            .call_in_bulk_unread("catalog.update", &body, Some(&key))
        {
            Ok(()) | Err(CallError::EarlierTryTook) => Ok(()),
            Err(error) => Err(error),
        };
        // What took is what Autumn holds now, whatever it answered. After the plan's last
        // change the read is the whole one the apply is verified with (its further reads go
        // out at once with the catalog's, so it costs no more time).
        let last = indices.last().is_some_and(|&index| index + 1 == total);
        let depth = if last {
            Depth::Everything
        } else {
            Depth::Catalog
        };
        self.read_after_last_write = None;
        let live = fetch::read(self.client, depth).ok();
        // After a refusal (a 4xx) or a change the request skipped, each change left is tried
        // alone: Autumn's answer then names the one it refuses. After a failure of Autumn or
        // of the network, the changes left failed with it.
        let try_alone = match &sent {
            Ok(()) => true,
            Err(error) => matches!(
                error.clone().into_backend_error(None).kind(),
                ErrorKind::Rejected | ErrorKind::Conflict
            ),
        };
        let mut wrote_after_the_read = false;
        for index in indices {
            let change = &self.plan.changes[index];
            let took = match &live {
                Some(live) => holds(&live.state.catalog, change),
                // Unread: Autumn's word decides (the reconciler reads again after the apply).
                None => sent.is_ok(),
            };
            let status = if took {
                ChangeStatus::Applied
            } else if !try_alone {
                // Each change the failed request carried and did not make failed with it.
                let error = sent
                    .clone()
                    .err()
                    .unwrap_or(CallError::NoAnswer {
                        detail: "no answer".into(),
                    })
                    .into_backend_error(Some(&change.address.to_string()));
                ChangeStatus::Failed(error)
            } else if self.stopped {
                ChangeStatus::NotAttempted
            } else {
                wrote_after_the_read = true;
                self.performed_alone(index)
            };
            self.finish(index, status);
        }
        if last && !wrote_after_the_read {
            self.read_after_last_write = live;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Feature, Plan as PricingPlan};
    use crate::diff::diff;
    use crate::live::LiveState;

    fn plan_of(features: Vec<Feature>, plans: Vec<PricingPlan>) -> Plan {
        diff(
            &Catalog::of("USD", features, Vec::new(), plans),
            &LiveState::empty(""),
        )
    }

    #[test]
    fn creates_and_updates_go_in_bulk_and_archives_removals_and_unarchiving_do_not() {
        let created = plan_of(vec![Feature::metered("a", "A")], Vec::new());
        let create = &created.changes[0];
        assert!(expressible(create));

        let mut update = create.clone();
        update.action = Action::Update;
        update.before = create.after.clone();
        assert!(expressible(&update));

        let mut unarchive = update.clone();
        if let Some(ObjectState::Feature(feature)) = unarchive.before.as_mut() {
            feature.archived = true;
        }
        assert!(!expressible(&unarchive), "catalog.update keeps archived");

        let mut archive = update.clone();
        archive.action = Action::Archive;
        if let Some(ObjectState::Feature(feature)) = archive.after.as_mut() {
            feature.archived = true;
        }
        assert!(!expressible(&archive));

        let mut delete = update.clone();
        delete.action = Action::Delete;
        delete.after = None;
        assert!(!expressible(&delete));

        let mut created_archived = create.clone();
        if let Some(ObjectState::Feature(feature)) = created_archived.after.as_mut() {
            feature.archived = true;
        }
        assert!(!expressible(&created_archived));
    }

    #[test]
    fn an_object_is_counted_at_the_size_it_is_written() {
        let planned = plan_of(
            vec![Feature::metered("a", "A \"quoted\" ünicode")],
            Vec::new(),
        );
        let after = planned.changes[0]
            .after
            .as_ref()
            .expect("a create has an after");
        let object = feature_create_body(after).expect("a feature body");
        let written = serde_json::to_vec(&object).expect("written");
        assert_eq!(written_size(&object), written.len());
        assert!(written_size(&object) > 20);
    }

    #[test]
    fn an_object_is_held_only_as_the_plan_says_it_will_be() {
        let planned = plan_of(vec![Feature::metered("a", "A")], Vec::new());
        let change = &planned.changes[0];
        let mut catalog = Catalog::of(
            "USD",
            vec![Feature::metered("a", "A")],
            Vec::new(),
            Vec::new(),
        );
        assert!(holds(&catalog, change));
        catalog.features.get_mut("a").expect("a").name = "Other".into();
        assert!(!holds(&catalog, change), "another name");
        catalog.features.clear();
        assert!(!holds(&catalog, change), "absent");
    }
}
