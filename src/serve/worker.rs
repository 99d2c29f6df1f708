//! The one thread that owns the store: it performs calls one at a time, in the order they
//! arrive, and answers each after its transaction committed. One writer keeps balances exact
//! under any number of clients, and an acknowledged request is a committed one.
//!
//! Group commit: the tracks and checks waiting together (without an idempotency key) are
//! performed in one write transaction, each ledger operation a savepoint of it, and answered
//! after its one commit. A commit costs the same whether it holds one track or thirty; under
//! load the waiting jobs share it, and a lone job is its own group.

use std::path::PathBuf;
use std::sync::mpsc;

use axum::http::StatusCode;
use serde::Serialize;
use tokio::sync::oneshot;

use super::api_error::ApiError;
use super::call::Call;
use super::catalog::CatalogService;
use super::idempotency::Claims;
use super::runtime::Runtime;
use crate::autumn::wire::ApiVersion;
use crate::autumn::wire::balances::{CheckParams, TrackParams};
use crate::autumn::wire::catalog::{List, RewardList};
use crate::autumn::wire::error::code;
use crate::autumn::wire::organization::Organization;
use crate::backend::local::LocalStore;
use crate::ledger::Instant;

/// What a request carries besides its body.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// `sandbox` or `live`, from the key.
    pub env: &'static str,
    pub version: ApiVersion,
    pub idempotency_key: Option<String>,
}

/// A call and where to send its answer (the JSON body, or the error).
pub struct Job {
    pub call: Call,
    pub context: CallContext,
    pub reply: oneshot::Sender<Result<Vec<u8>, ApiError>>,
}

/// The most jobs one commit answers: it bounds how long the first of them waits for the
/// last.
const MOST_IN_ONE_COMMIT: usize = 256;

/// Sends jobs to the store's thread.
#[derive(Clone)]
pub struct WorkerHandle(mpsc::Sender<Job>);

impl WorkerHandle {
    /// Queues a job; `Err` once the thread has stopped.
    pub fn send(&self, job: Job) -> Result<(), ()> {
        self.0.send(job).map_err(|_| ())
    }
}

/// Starts the store's thread on the store at `path`. The thread stops when every handle is
/// dropped, after the jobs already queued.
pub fn start(path: PathBuf) -> Result<(WorkerHandle, std::thread::JoinHandle<()>), ApiError> {
    let store = LocalStore::open(&path).map_err(ApiError::from)?;
    store
        .store()
        .defer_checkpoints()
        .map_err(|error| ApiError::from(crate::backend::BackendError::from(error)))?;
    let mut service = Service {
        catalog: CatalogService::new(store),
        claims: Claims::open(&path)?,
        runtime: Runtime::new(path),
    };
    let (sender, receiver) = mpsc::channel::<Job>();
    let thread = std::thread::Builder::new()
        .name("pricectl-store".into())
        .spawn(move || {
            while let Ok(first) = receiver.recv() {
                let mut waiting = vec![first];
                while waiting.len() < MOST_IN_ONE_COMMIT {
                    let Ok(job) = receiver.try_recv() else { break };
                    waiting.push(job);
                }
                service.perform_in_order(waiting);
            }
        })
        .map_err(|error| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL_ERROR,
                error.to_string(),
            )
        })?;
    Ok((WorkerHandle(sender), thread))
}

struct Service {
    catalog: CatalogService,
    runtime: Runtime,
    /// `Idempotency-Key`s claimed, kept in the store: a repeat within the TTL is refused.
    claims: Claims,
}

/// A job that may share a commit with others: a track or a check, with no idempotency key
/// (a key's claim is committed before the work, in a transaction of its own).
struct GroupedJob {
    call: RuntimeCall,
    context: CallContext,
    reply: oneshot::Sender<Result<Vec<u8>, ApiError>>,
}

/// The calls a group commit performs.
enum RuntimeCall {
    Track(TrackParams),
    Check(CheckParams),
}

impl RuntimeCall {
    fn perform(
        &self,
        runtime: &mut Runtime,
        context: &CallContext,
        now: Instant,
    ) -> Result<Vec<u8>, ApiError> {
        match self {
            RuntimeCall::Track(params) => json(&runtime.track(params, context.version, now)?),
            RuntimeCall::Check(params) => json(&runtime.check(params, context.version, now)?),
        }
    }
}

/// How a waiting job is performed: in a group commit, or alone.
enum Waiting {
    Grouped(GroupedJob),
    Alone(Job),
}

impl Job {
    /// The job as one that may share a commit, or itself when it may not.
    fn waiting(self) -> Waiting {
        let Job {
            call,
            context,
            reply,
        } = self;
        let call = match call {
            Call::Track(params)
                if params.idempotency_key.is_none() && context.idempotency_key.is_none() =>
            {
                RuntimeCall::Track(params)
            }
            Call::Check(params) => RuntimeCall::Check(params),
            call => {
                return Waiting::Alone(Job {
                    call,
                    context,
                    reply,
                });
            }
        };
        Waiting::Grouped(GroupedJob {
            call,
            context,
            reply,
        })
    }
}

impl Service {
    /// Performs the jobs waiting, in the order they arrived: each run of jobs that may share
    /// a commit as one group commit, any other job alone.
    fn perform_in_order(&mut self, jobs: Vec<Job>) {
        let mut group = Vec::new();
        for job in jobs {
            match job.waiting() {
                Waiting::Grouped(job) => group.push(job),
                Waiting::Alone(job) => {
                    self.perform_group(std::mem::take(&mut group));
                    let answer = self.perform(job.call, &job.context);
                    // The client may have gone: its work is done all the same.
                    let _ = job.reply.send(answer);
                }
            }
        }
        self.perform_group(group);
    }

    /// Performs a run of tracks and checks in one commit and answers each once it committed.
    /// Checks alone share it too: their reads then take the store's locks once, not once
    /// per statement. A lone job is performed as it is.
    fn perform_group(&mut self, group: Vec<GroupedJob>) {
        if group.len() < 2 {
            for job in group {
                let answer = job
                    .call
                    .perform(&mut self.runtime, &job.context, Instant::now());
                let _ = job.reply.send(answer);
            }
            return;
        }
        let performed = self.runtime.in_one_commit(|runtime| {
            group
                .iter()
                .map(|job| job.call.perform(runtime, &job.context, Instant::now()))
                .collect::<Vec<_>>()
        });
        match performed {
            Ok(answers) => {
                for (job, answer) in group.into_iter().zip(answers) {
                    let _ = job.reply.send(answer);
                }
            }
            // Nothing of the group was kept: what succeeded in it did not happen after all.
            Err(error) => {
                for job in group {
                    let _ = job.reply.send(Err(error.clone()));
                }
            }
        }
    }

    fn perform(&mut self, call: Call, context: &CallContext) -> Result<Vec<u8>, ApiError> {
        let now = Instant::now();
        let key = match (&context.idempotency_key, call.writes()) {
            (Some(key), true) => Some(key.clone()),
            _ => None,
        };
        let track_key = match &call {
            Call::Track(params) => params
                .idempotency_key
                .as_ref()
                .map(|key| format!("track:{key}")),
            _ => None,
        };
        let claimed: Vec<&String> = key.iter().chain(&track_key).collect();
        for claim in &claimed {
            self.claims.claim(claim, now)?;
        }
        let answer = self.dispatch(call, context, now);
        for claim in claimed {
            match &answer {
                Ok(body) => self.claims.answered(claim, body)?,
                // Autumn frees the key of a request that failed, unless with a 409 (a repeat,
                // or a conflict that a retry would meet again): `withIdempotencyKey.ts`.
                Err(error) if error.status != StatusCode::CONFLICT => {
                    self.claims.release(claim)?;
                }
                Err(_) => {}
            }
        }
        answer
    }

    fn dispatch(
        &mut self,
        call: Call,
        context: &CallContext,
        now: Instant,
    ) -> Result<Vec<u8>, ApiError> {
        let env = context.env;
        match call {
            Call::OrganizationMe => json(&Organization {
                id: "org_pricectl_serve".into(),
                name: "pricectl serve".into(),
                slug: "pricectl-serve".into(),
                env: env.to_string(),
                default_currency: Some(self.catalog.currency()?.to_ascii_lowercase()),
            }),
            Call::ListFeatures => json(&List {
                list: self.catalog.list_features()?,
            }),
            Call::GetFeature(params) => json(&self.catalog.get_feature(&params.feature_id)?),
            Call::CreateFeature(params) => {
                self.catalog_write(|catalog| catalog.create_feature(&params))
            }
            Call::UpdateFeature(params) => {
                self.catalog_write(|catalog| catalog.update_feature(&params))
            }
            Call::DeleteFeature(params) => self.catalog_write(|catalog| {
                catalog
                    .delete_feature(&params.feature_id)
                    .map(|()| serde_json::json!({"success": true}))
            }),
            Call::ListPlans(params) => json(&List {
                list: self.catalog.list_plans(&params, env)?,
            }),
            Call::GetPlan(params) => json(&self.catalog.get_plan(&params, env)?),
            Call::CreatePlan(params) => {
                self.catalog_write(|catalog| catalog.create_plan(&params, env))
            }
            Call::UpdatePlan(params) => {
                self.catalog_write(|catalog| catalog.update_plan(&params, env))
            }
            Call::DeletePlan(params) => self.catalog_write(|catalog| {
                catalog
                    .delete_plan(&params)
                    .map(|()| serde_json::json!({"success": true}))
            }),
            Call::PreviewCatalog(params) => json(&self.catalog.preview(&params, env)?),
            Call::UpdateCatalog(params) => {
                self.catalog_write(|catalog| catalog.update(&params, env))
            }
            Call::ListRewards => json(&RewardList::default()),
            Call::ListReferralPrograms => json(&List::<serde_json::Value> { list: Vec::new() }),
            Call::GetOrCreateCustomer(params) => json(&self.runtime.get_or_create_customer(
                &params,
                env,
                context.version,
                now,
            )?),
            Call::GetCustomer(params) => json(&self.runtime.customer(
                &params.customer_id,
                env,
                context.version,
                now,
            )?),
            Call::UpdateCustomer(params) => json(&self.runtime.update_customer(
                &params,
                env,
                context.version,
                now,
            )?),
            Call::ListCustomers(params) => {
                let customers = self.catalog.customers_newest_first()?;
                json(&self.runtime.list_customers(
                    &params,
                    &customers,
                    env,
                    context.version,
                    now,
                )?)
            }
            Call::Attach(params) => json(&self.runtime.attach(&params, now)?),
            Call::LegacyAttach(params) => json(&self.runtime.legacy_attach(&params, now)?),
            Call::UpdateSubscription(params) => {
                json(&self.runtime.update_subscription(&params, now)?)
            }
            Call::Track(params) => {
                RuntimeCall::Track(params).perform(&mut self.runtime, context, now)
            }
            Call::Check(params) => {
                RuntimeCall::Check(params).perform(&mut self.runtime, context, now)
            }
            Call::CreateBalance(params) => json(&self.runtime.create_balance(&params, now)?),
            Call::CreateEntity(params) => json(&self.runtime.create_entity(&params, env, now)?),
            Call::GetEntity(params) => json(&self.runtime.entity(&params, env, now)?),
            Call::ListEntities(params) => json(&self.runtime.list_entities(
                &params,
                env,
                context.version,
                now,
            )?),
            Call::UpdateEntity(params) => json(&self.runtime.update_entity(&params, env, now)?),
            Call::DeleteEntity(params) => json(&self.runtime.delete_entity(&params, now)?),
        }
    }

    /// A catalog change. The ledger needs no word of it: the apply raised the store's catalog
    /// revision, which the ledger follows.
    fn catalog_write<T: Serialize>(
        &mut self,
        change: impl FnOnce(&mut CatalogService) -> Result<T, ApiError>,
    ) -> Result<Vec<u8>, ApiError> {
        json(&change(&mut self.catalog)?)
    }
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|error| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL_ERROR,
            error.to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service over a store holding the openai-credits example, with the customer `u1`
    /// holding 100 credits.
    fn service(directory: &std::path::Path) -> Service {
        let path = directory.join("local.db");
        let store = crate::serve::example_store(&path);
        let mut service = Service {
            catalog: CatalogService::new(store),
            claims: Claims::open(&path).expect("claims"),
            runtime: Runtime::new(path),
        };
        for (route, body) in [
            ("customers.get_or_create", r#"{"customer_id":"u1"}"#),
            (
                "balances.create",
                r#"{"customer_id":"u1","feature_id":"credits","included_grant":100}"#,
            ),
        ] {
            let (answers, _) = perform_waiting(&mut service, &[(route, body, None)]);
            assert!(answers[0].is_ok(), "{route}: {:?}", answers[0]);
        }
        service
    }

    /// Queues the calls as jobs waiting together, performs them as the store's thread does,
    /// and collects each answer, in order, as its client receives it.
    fn perform_waiting(
        service: &mut Service,
        calls: &[(&str, &str, Option<&str>)],
    ) -> (Vec<Result<Vec<u8>, ApiError>>, Vec<u16>) {
        let mut receivers = Vec::new();
        let mut jobs = Vec::new();
        for (route, body, key) in calls {
            let call = Call::read(route, body.as_bytes())
                .expect("a route")
                .expect("a valid body");
            let (reply, answered) = oneshot::channel();
            jobs.push(Job {
                call,
                context: CallContext {
                    env: "sandbox",
                    version: ApiVersion::LATEST,
                    idempotency_key: key.map(str::to_string),
                },
                reply,
            });
            receivers.push(answered);
        }
        service.perform_in_order(jobs);
        let answers: Vec<_> = receivers
            .into_iter()
            .map(|mut answered| answered.try_recv().expect("every job is answered"))
            .collect();
        let statuses = answers
            .iter()
            .map(|answer| match answer {
                Ok(_) => 200,
                Err(error) => error.status.as_u16(),
            })
            .collect();
        (answers, statuses)
    }

    fn remaining(service: &mut Service) -> String {
        let (answers, _) = perform_waiting(
            service,
            &[(
                "balances.check",
                r#"{"customer_id":"u1","feature_id":"credits"}"#,
                None,
            )],
        );
        let body = answers[0].clone().expect("a check");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        json["balance"]["remaining"].to_string()
    }

    const TRACK: &str = r#"{"customer_id":"u1","feature_id":"o3-input-tokens","value":1000}"#;

    #[test]
    fn jobs_waiting_together_each_get_their_own_answer_and_the_failing_ones_undo_nothing_else() {
        let directory = tempfile::tempdir().expect("a directory");
        let mut service = service(directory.path());
        let (answers, statuses) = perform_waiting(
            &mut service,
            &[
                ("balances.track", TRACK, None),
                (
                    "balances.track",
                    r#"{"customer_id":"nobody","feature_id":"o3-input-tokens","value":1000}"#,
                    None,
                ),
                (
                    "balances.check",
                    r#"{"customer_id":"u1","feature_id":"credits"}"#,
                    None,
                ),
                (
                    "balances.track",
                    r#"{"customer_id":"u1","feature_id":"o3-input-tokens","value":-5}"#,
                    None,
                ),
                ("balances.track", TRACK, None),
                // Keyed: performed alone between the two groups, its key claimed first.
                ("balances.track", TRACK, Some("k-1")),
                ("balances.track", TRACK, None),
                ("balances.track", TRACK, None),
            ],
        );
        assert_eq!(statuses, [200, 404, 200, 400, 200, 200, 200, 200]);
        // Each answer is its own job's, in the order the jobs were performed: 1 credit each.
        let remaining_after: Vec<String> = answers
            .iter()
            .filter_map(|answer| answer.as_ref().ok())
            .map(|body| {
                let json: serde_json::Value = serde_json::from_slice(body).expect("JSON");
                json["balance"]["remaining"].to_string()
            })
            .collect();
        assert_eq!(remaining_after, ["99", "99", "98", "97", "96", "95"]);
        assert_eq!(remaining(&mut service), "95");
        // The keyed track's key was claimed: a repeat is refused.
        let (_, repeat) = perform_waiting(&mut service, &[("balances.track", TRACK, Some("k-1"))]);
        assert_eq!(repeat, [409]);
    }

    #[test]
    fn a_group_that_fails_to_commit_answers_every_job_with_the_failure() {
        let directory = tempfile::tempdir().expect("a directory");
        let mut service = service(directory.path());
        // Another connection holds the write lock: the group cannot begin (after the store's
        // busy timeout), and no job of it may be answered as done.
        let blocker = rusqlite::Connection::open(directory.path().join("local.db")).expect("opens");
        blocker
            .execute_batch("BEGIN IMMEDIATE")
            .expect("the write lock");
        let (_, statuses) = perform_waiting(
            &mut service,
            &[
                ("balances.track", TRACK, None),
                ("balances.track", TRACK, None),
            ],
        );
        assert_eq!(statuses, [500, 500]);
        blocker.execute_batch("ROLLBACK").expect("released");
        assert_eq!(remaining(&mut service), "100");
    }
}
