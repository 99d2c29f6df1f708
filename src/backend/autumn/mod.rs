//! Autumn as a billing system: its live catalog read over its HTTP API and changed in bulk
//! through `catalog.update` where it can say the changes, else change by change through its
//! per-object endpoints (`--backend autumn`, `--apply-mode`).
//!
//! Requests go through one [`client::Client`]: paced under Autumn's 25 requests per second
//! per organization, together with the other `pricectl` processes of the same URL and key,
//! with the secret key (never printed: [`SecretKey`]) and an explicit `X-API-Version`, and
//! retried with backoff and jitter on 429, 5xx, timeouts and dropped connections. Bodies are
//! the shared wire types of `crate::autumn::wire`, mapped to and from the catalog by
//! `crate::autumn::mapping`, exactly as `pricectl serve` reads them.

mod api_url;
mod apply;
mod bulk;
mod call_error;
mod client;
mod fetch;
mod pace;
mod preview;
mod retry;
mod secret_key;

pub use api_url::{API_URL_VARIABLE, ApiUrl, ApiUrlError, DEFAULT_API_URL};
pub use apply::{batch_idempotency_key, idempotency_key};
pub use bulk::{MOST_BYTES, MOST_OBJECTS};
pub use client::{API_VERSION, Counts};
pub use pace::REQUESTS_PER_SECOND;
pub use retry::RetryPolicy;
pub use secret_key::{Environment, KEY_VARIABLE, SecretKey};

use std::collections::BTreeMap;
use std::sync::Arc;

use self::client::Client;
use self::fetch::Depth;
use self::preview::SentPreview;
use crate::backend::{ApplyMode, ApplyProgress, ApplyReport, Backend, BackendError, Capabilities};
use crate::catalog::Catalog;
use crate::diff::{Plan, Verdict};
use crate::live::LiveState;

/// An Autumn organization's catalog, in the environment its key reaches.
pub struct AutumnBackend {
    /// Shared with the thread that sends Autumn's preview ahead ([`preview::SentPreview`]).
    client: Arc<Client>,
    environment: Environment,
    /// The last fetch's whole read: Autumn's preview is asked about the pricing with the
    /// billing controls pricectl cannot express as it read them (as an update would send
    /// them), and an apply told to ([`Backend::apply_against_last_fetch`]) checks its changes
    /// against it instead of reading again.
    last_fetch: Option<fetch::Snapshot>,
    /// The reads sent ahead ([`Backend::read_ahead`], or with Autumn's preview of the pricing
    /// by [`Backend::will_preview`]), which the next fetch waits for.
    reading: Option<fetch::PendingRead>,
    /// The next apply checks its changes against `last_fetch`.
    apply_against_last_fetch: bool,
    /// How applies send their changes: in bulk through `catalog.update` where it can say
    /// them, or each through its own endpoint.
    mode: ApplyMode,
    /// At most so many objects in one `catalog.update`.
    most_objects: usize,
    /// The whole live state as the last apply read it after its last write: the next fetch
    /// (the reconciler's, verifying the apply) takes it instead of reading it again.
    read_after_apply: Option<fetch::Snapshot>,
}

impl AutumnBackend {
    /// A backend on `url` with `key`; nothing is sent until it fetches.
    pub fn new(url: ApiUrl, key: SecretKey) -> Result<AutumnBackend, BackendError> {
        AutumnBackend::with_policy(url, key, RetryPolicy::default())
    }

    /// The same, retrying as `policy` says.
    pub fn with_policy(
        url: ApiUrl,
        key: SecretKey,
        policy: RetryPolicy,
    ) -> Result<AutumnBackend, BackendError> {
        let environment = key.environment();
        let client =
            Client::new(url, key, policy).map_err(|error| error.into_backend_error(None))?;
        Ok(AutumnBackend {
            client: Arc::new(client),
            environment,
            last_fetch: None,
            reading: None,
            apply_against_last_fetch: false,
            mode: ApplyMode::default(),
            most_objects: MOST_OBJECTS,
            read_after_apply: None,
        })
    }

    /// The same backend, pacing its requests together with every other process using the same
    /// URL and key, as Autumn counts them (per organization); see `pace.rs`. `pricectl`'s
    /// commands open it so.
    #[must_use]
    pub fn with_shared_pace(self) -> AutumnBackend {
        self.client.share_pace();
        self
    }

    /// The environment the key reaches: a live one holds real customers' catalog.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The same backend, applying as `mode` says.
    #[must_use]
    pub fn with_apply_mode(mut self, mode: ApplyMode) -> AutumnBackend {
        self.mode = mode;
        self
    }

    /// The same backend, sending at most `objects` objects (at least one) in one
    /// `catalog.update` (by default [`MOST_OBJECTS`]).
    #[must_use]
    pub fn with_most_objects_per_request(mut self, objects: usize) -> AutumnBackend {
        self.most_objects = objects.max(1);
        self
    }

    /// Requests sent so far, retries counted.
    pub fn counts(&self) -> Counts {
        self.client.counts()
    }
}

impl Backend for AutumnBackend {
    fn describe(&self) -> String {
        format!(
            "Autumn API {} ({} environment)",
            self.client.url(),
            self.environment.as_str()
        )
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            atomic: false,
            instant: false,
        }
    }

    fn fetch(&mut self) -> Result<LiveState, BackendError> {
        self.last_fetch = None;
        let mut snapshot = match (self.read_after_apply.take(), self.reading.take()) {
            (Some(snapshot), _) => snapshot,
            (None, Some(reading)) => reading.wait()?,
            (None, None) => fetch::read(&self.client, Depth::Everything)?,
        };
        snapshot.state.environment = Some(self.environment);
        let state = snapshot.state.clone();
        self.last_fetch = Some(snapshot);
        Ok(state)
    }

    fn read_ahead(&mut self) {
        if self.read_after_apply.is_none() && self.reading.is_none() {
            self.reading = Some(fetch::PendingRead::send(&self.client, Depth::Everything));
        }
    }

    fn will_preview(&mut self, desired: &Catalog) {
        // The reads go now unless they went ahead, and the preview follows them. After an
        // apply, whose read the fetch takes, nothing goes: `preview` asks.
        self.read_ahead();
        if let Some(reading) = self.reading.as_mut() {
            // As Autumn holds nothing pricectl sets aside or keeps: the body `preview` sends,
            // unless the read says otherwise (then it asks again).
            let body = preview::body(desired, &LiveState::empty(""), &BTreeMap::new());
            reading.preview(SentPreview::send(Arc::clone(&self.client), body));
        }
    }

    fn apply_against_last_fetch(&mut self) {
        self.apply_against_last_fetch = true;
    }

    fn preview(
        &mut self,
        desired: &Catalog,
        live: &LiveState,
        plan: &Plan,
    ) -> Result<Option<Verdict>, BackendError> {
        let no_controls = BTreeMap::new();
        let (kept, sent) = match self.last_fetch.as_mut() {
            Some(read) => (&read.kept_controls, read.preview.take()),
            None => (&no_controls, None),
        };
        preview::preview(&self.client, desired, live, plan, kept, sent).map(Some)
    }

    fn apply(&mut self, plan: &Plan, progress: &mut dyn ApplyProgress) -> ApplyReport {
        // Taken either way: once anything is written, the read is no longer the live state.
        let last_fetch = self.last_fetch.take();
        let read = std::mem::take(&mut self.apply_against_last_fetch)
            .then_some(last_fetch)
            .flatten();
        let (report, read_after) = apply::apply(
            &self.client,
            plan,
            self.mode,
            self.most_objects,
            progress,
            read,
        );
        self.read_after_apply = read_after;
        report
    }

    fn set_apply_mode(&mut self, mode: ApplyMode) {
        self.mode = mode;
    }
}
