//! `pricectl serve`: the local store behind an Autumn-compatible HTTP API, so Autumn's own CLI
//! (`atmn`) and SDK (`autumn-js`) run against a laptop or a CI job with nothing else
//! installed. See docs/serve.md.
//!
//! - [`server`]: HTTP (axum on hyper and tokio): auth, the version header, limits, the
//!   request log, graceful shutdown.
//! - [`call`]: the routes, each body read into its wire type ([`crate::autumn::wire`]).
//! - [`worker`]: the one thread that owns the store and performs calls in order.
//! - [`catalog`]: catalog endpoints through the compiler, diff and apply of `pricectl apply`.
//! - [`live_cache`]: the store's live state, kept while the store has not changed.
//! - [`runtime`]: customers, attach, track, check and grants through the ledger.
//! - [`customer_controls`]: a customer's `billing_controls`, answered merged with its plans'
//!   and read from `customers.update` into its auto top-up switches.
//! - [`idempotency`]: the `Idempotency-Key`s claimed, kept in the store.
//! - [`request_log`]: the request log, written by a thread of its own.
//! - [`crate::store::Checkpointer`]: the log's checkpoints, on a thread of their own.

mod api_error;
mod api_key;
mod call;
mod catalog;
mod customer_controls;
mod idempotency;
mod live_cache;
mod paging;
mod request_log;
mod runtime;
mod server;
mod worker;

pub use api_error::ApiError;
pub use api_key::ApiKey;
pub use server::Limits;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// What `pricectl serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub state: PathBuf,
    pub keys: Vec<ApiKey>,
    pub limits: Limits,
    /// A request log line per request on stderr.
    pub log: bool,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the store `{path}` could not be opened: {message}")]
    Store { path: String, message: String },
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the server could not start: {0}")]
    Runtime(#[source] std::io::Error),
}

/// Serves until SIGINT or SIGTERM; `ready` is told the address listened on (port 0 picks a
/// free one) once requests are accepted.
pub fn run(options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let (worker, thread) = start_worker(&options.state)?;
    // The store's thread commits; the log is copied into the database by this one, so no
    // commit waits for a checkpoint's syncs.
    let checkpointer =
        crate::store::Checkpointer::start(&options.state).map_err(|error| ServeError::Store {
            path: options.state.display().to_string(),
            message: error.to_string(),
        })?;
    let (log, log_writer) = if options.log {
        let (log, writer) =
            request_log::RequestLog::start(std::io::stderr()).map_err(ServeError::Runtime)?;
        (Some(log), Some(writer))
    } else {
        (None, None)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|source| ServeError::Listen {
                address: options.listen,
                source,
            })?;
        let address = listener.local_addr().map_err(ServeError::Runtime)?;
        ready(address);
        let connections = server::Connections::new(options.keys, worker, options.limits, log);
        server::serve(
            listener,
            connections,
            options.limits,
            server::shutdown_signal(),
        )
        .await;
        Ok::<(), ServeError>(())
    })?;
    // Every handle is gone: the store's thread finishes what was queued, then stops.
    drop(runtime);
    let _ = thread.join();
    // Nothing writes any more: the last checkpoint copies the whole log and empties it.
    checkpointer.stop();
    // Every request was answered and logged: the last lines are written before the exit.
    if let Some(writer) = log_writer {
        writer.finish();
    }
    Ok(())
}

/// A store at `path` holding the openai-credits example (credit system `credits`), for the
/// server's unit tests.
#[cfg(test)]
fn example_store(path: &Path) -> crate::backend::local::LocalStore {
    use crate::reconcile::{ApplyOptions, apply, plan};
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing-examples/openai-credits/pricing.toml");
    let catalog = crate::compile_path(&example)
        .expect("the example loads")
        .catalog
        .expect("the example is valid");
    let mut store = crate::backend::local::LocalStore::open(path).expect("a store");
    let planned = plan(&mut store, &catalog).expect("a plan");
    apply(&mut store, &planned, &catalog, ApplyOptions::default()).expect("applied");
    store
}

/// The thread that owns the store at `state`.
fn start_worker(
    state: &Path,
) -> Result<(worker::WorkerHandle, std::thread::JoinHandle<()>), ServeError> {
    worker::start(state.to_path_buf()).map_err(|error| ServeError::Store {
        path: state.display().to_string(),
        message: error.message,
    })
}

/// A server over a store that answers connections handed to it instead of accepting them
/// from a listener: the fuzz target (fuzz/) drives it with requests held in memory, through
/// the same routes, limits and store thread as `pricectl serve`.
pub struct InProcess {
    connections: server::Connections,
    thread: std::thread::JoinHandle<()>,
}

impl InProcess {
    /// Starts the store's thread on the store at `state`; no request log.
    pub fn start(state: &Path, keys: Vec<ApiKey>, limits: Limits) -> Result<InProcess, ServeError> {
        let (worker, thread) = start_worker(state)?;
        Ok(InProcess {
            connections: server::Connections::new(keys, worker, limits, None),
            thread,
        })
    }

    /// Answers the HTTP/1.1 requests the client writes to `stream` until it closes its side;
    /// a connection the client breaks off ends without an answer, as over TCP. Call it
    /// within a Tokio runtime (with its timer enabled).
    pub async fn serve_connection<S>(&self, stream: S)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let _ = self.connections.connection(stream).await;
    }

    /// Stops the store's thread once the calls already queued are done.
    pub fn stop(self) {
        drop(self.connections);
        let _ = self.thread.join();
    }
}
