//! The one thread that owns the store: it performs calls one at a time, in the order they
//! arrive, and answers each after its transaction committed. One writer keeps balances exact
//! under any number of clients, and an acknowledged request is a committed one.

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
    let mut service = Service {
        catalog: CatalogService::new(store),
        claims: Claims::open(&path)?,
        runtime: Runtime::new(path),
    };
    let (sender, receiver) = mpsc::channel::<Job>();
    let thread = std::thread::Builder::new()
        .name("pricectl-store".into())
        .spawn(move || {
            for job in receiver {
                let answer = service.perform(job.call, &job.context);
                // The client may have gone: its work is done all the same.
                let _ = job.reply.send(answer);
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

impl Service {
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
            Call::GetOrCreateCustomer(params) => {
                json(&self.runtime.get_or_create_customer(&params, env, now)?)
            }
            Call::GetCustomer(params) => {
                json(&self.runtime.customer(&params.customer_id, env, now)?)
            }
            Call::ListCustomers(params) => {
                let ids = self.catalog.customer_ids()?;
                json(&self.runtime.list_customers(&params, &ids, env, now)?)
            }
            Call::Attach(params) => json(&self.runtime.attach(&params, now)?),
            Call::LegacyAttach(params) => json(&self.runtime.legacy_attach(&params, now)?),
            Call::Track(params) => json(&self.runtime.track(&params, context.version, now)?),
            Call::Check(params) => json(&self.runtime.check(&params, context.version, now)?),
            Call::CreateBalance(params) => json(&self.runtime.create_balance(&params, now)?),
            Call::CreateEntity(params) => json(&self.runtime.create_entity(&params, env, now)?),
            Call::GetEntity(params) => json(&self.runtime.entity(&params, env, now)?),
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
