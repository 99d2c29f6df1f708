//! The HTTP side: listening, auth, the version header, body limits and timeouts, the request
//! log, and a graceful shutdown. Every request that reaches the store is handed to the one
//! thread that owns it ([`super::worker`]) and answered when that thread has committed it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::{BodyExt, Limited};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::api_error::ApiError;
use super::api_key::ApiKey;
use super::call::Call;
use super::request_log::RequestLog;
use super::worker::{CallContext, Job, WorkerHandle};
use crate::autumn::wire::ApiVersion;
use crate::autumn::wire::error::code;
use crate::autumn::wire::version::HEADER as VERSION_HEADER;

/// Limits that keep one client from holding the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body accepted (413 beyond).
    pub body_bytes: usize,
    /// How long a client may take to send its headers, and then its body (408 beyond).
    pub read_timeout: Duration,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 4 * 1024 * 1024,
            read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

struct Shared {
    keys: Vec<ApiKey>,
    worker: WorkerHandle,
    limits: Limits,
    /// `None` under `--quiet`.
    log: Option<RequestLog>,
}

/// The HTTP side of a server over one store, without a listener: [`serve`] hands it each
/// connection it accepts, and [`super::InProcess`] any byte stream.
pub struct Connections {
    router: Router,
    builder: http1::Builder,
}

impl Connections {
    pub fn new(
        keys: Vec<ApiKey>,
        worker: WorkerHandle,
        limits: Limits,
        log: Option<RequestLog>,
    ) -> Connections {
        let shared = Arc::new(Shared {
            keys,
            worker,
            limits,
            log,
        });
        let router = Router::new()
            .route("/v1/organization/me", get(organization))
            .route("/v1/{name}", post(rpc))
            .fallback(not_found)
            .with_state(shared);
        let mut builder = http1::Builder::new();
        // A client may close its sending side once its requests are sent (`shutdown(SHUT_WR)`)
        // and still be answered.
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.read_timeout)
            .half_close(true);
        Connections { router, builder }
    }

    /// One HTTP/1.1 connection over `stream`, answered until the client closes it.
    pub fn connection<S>(
        &self,
        stream: S,
    ) -> http1::Connection<TokioIo<S>, TowerToHyperService<Router>>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let service = TowerToHyperService::new(self.router.clone());
        self.builder.serve_connection(TokioIo::new(stream), service)
    }
}

/// Serves on `listener` until `shutdown` resolves, then stops accepting and waits (up to the
/// grace period) for the requests in flight.
pub async fn serve(
    listener: TcpListener,
    connections: Connections,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let connection = graceful.watch(connections.connection(stream));
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    // Requests in flight are answered (their work is committed before the answer is sent);
    // idle connections close at once.
    let _ = tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await;
}

async fn organization(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let response = match authorize(&shared, &headers) {
        Err((error, env)) => error_response(&error, env),
        Ok(context) => answer(&shared, Call::OrganizationMe, context).await,
    };
    log(
        &shared,
        &Method::GET,
        "/v1/organization/me",
        &response,
        started,
    );
    response
}

async fn rpc(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let known = super::call::ROUTES.contains(&name.as_str());
    let route = if known {
        format!("/v1/{name}")
    } else {
        "/v1/<unknown>".to_string()
    };
    let response = match handle(&shared, &name, &headers, body).await {
        Ok(response) => response,
        Err((error, env)) => error_response(&error, env),
    };
    log(&shared, &Method::POST, &route, &response, started);
    response
}

async fn handle(
    shared: &Shared,
    name: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, (ApiError, Option<&'static str>)> {
    let context = authorize(shared, headers)?;
    let env = Some(context.env);
    let bytes = read_body(body, shared.limits)
        .await
        .map_err(|error| (error, env))?;
    let call = match Call::read(name, &bytes) {
        None => return Err((route_not_found(name), env)),
        Some(call) => call.map_err(|error| (error, env))?,
    };
    Ok(answer(shared, call, context).await)
}

/// The key, the version and the idempotency key of a request; Autumn's 401 and 400 otherwise
/// (a 400 in the environment of the key).
fn authorize(
    shared: &Shared,
    headers: &HeaderMap,
) -> Result<CallContext, (ApiError, Option<&'static str>)> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|token| !token.is_empty());
    let Some(token) = token else {
        return Err((
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                code::NO_SECRET_KEY,
                "Secret key not found in Authorization header",
            ),
            None,
        ));
    };
    let Some(key) = shared.keys.iter().find(|key| key.matches(token)) else {
        return Err((
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                code::INVALID_SECRET_KEY,
                format!("Invalid secret key: {}", masked(token)),
            ),
            None,
        ));
    };
    let env = Some(key.env());
    let version = match headers.get(VERSION_HEADER) {
        None => ApiVersion::LATEST,
        Some(value) => {
            let text = value.to_str().unwrap_or_default();
            match ApiVersion::parse(text) {
                Some(version) if version.is_plans_api() => version,
                Some(version) => {
                    return Err((
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            code::INVALID_API_VERSION,
                            format!(
                                "API version {version} is not served here: pricectl serve speaks the 2.x shapes (send `X-API-Version: 2.1.0` or newer)"
                            ),
                        ),
                        env,
                    ));
                }
                None => {
                    return Err((
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            code::INVALID_API_VERSION,
                            format!("\"{text}\" is not a valid API version"),
                        ),
                        env,
                    ));
                }
            }
        }
    };
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    // An empty header would be claimed as the key ``, making every later request that sends
    // one a repeat: refused, as the ledger refuses an empty key.
    if let Err(error) = crate::ledger::check_idempotency_key(idempotency_key.as_deref()) {
        return Err((ApiError::from(error), env));
    }
    Ok(CallContext {
        env: key.env(),
        version,
        idempotency_key,
    })
}

/// What Autumn shows of a refused key: its first 15 characters (`maskApiKey`).
fn masked(token: &str) -> String {
    token
        .chars()
        .enumerate()
        .map(|(index, character)| if index < 15 { character } else { '*' })
        .collect()
}

/// The body, up to the size limit and within the read timeout.
async fn read_body(body: Body, limits: Limits) -> Result<Bytes, ApiError> {
    let read = tokio::time::timeout(
        limits.read_timeout,
        Limited::new(body, limits.body_bytes).collect(),
    )
    .await;
    match read {
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            code::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} seconds",
                limits.read_timeout.as_secs()
            ),
        )),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than {} bytes",
                limits.body_bytes
            ),
        )),
        Ok(Err(error)) => Err(ApiError::invalid(format!(
            "the request body could not be read: {error}"
        ))),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// Hands the call to the store's thread and waits for its answer.
async fn answer(shared: &Shared, call: Call, context: CallContext) -> Response {
    let env = context.env;
    let (reply, answered) = oneshot::channel();
    let sent = shared.worker.send(Job {
        call,
        context,
        reply,
    });
    let result = match sent {
        Err(()) => Err(unavailable()),
        Ok(()) => answered.await.unwrap_or_else(|_| Err(unavailable())),
    };
    match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(error) => error_response(&error, Some(env)),
    }
}

fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
        "the server is shutting down",
    )
}

fn route_not_found(name: &str) -> ApiError {
    ApiError::not_found(
        code::NOT_FOUND,
        format!("no route `POST /v1/{name}`: pricectl serve answers the routes in docs/serve.md"),
    )
}

async fn not_found(State(shared): State<Arc<Shared>>, method: Method) -> Response {
    let started = Instant::now();
    let response = error_response(
        &ApiError::not_found(
            code::NOT_FOUND,
            "no such route: pricectl serve answers the routes in docs/serve.md",
        ),
        None,
    );
    log(&shared, &method, "<unknown>", &response, started);
    response
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn error_response(error: &ApiError, env: Option<&str>) -> Response {
    let body = serde_json::to_vec(&error.body(env)).unwrap_or_default();
    let mut response = json_response(error.status, body);
    if error.status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// One line per request on stderr: method, route, status, duration. Never a key or a body.
fn log(shared: &Shared, method: &Method, route: &str, response: &Response, started: Instant) {
    if let Some(log) = &shared.log {
        log.line(format_args!(
            "{method} {route} {} {:.2}ms",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        ));
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut terminate) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = interrupt.await;
            return;
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
