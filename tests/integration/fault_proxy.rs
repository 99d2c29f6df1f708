//! A fault-injecting HTTP/1.1 proxy for tests and benchmarks: it sits on loopback in front of
//! `pricectl serve` and, at a configured rate with a seeded generator, answers a request with
//! a fault instead of the server's answer (issue 13, issue 15):
//!
//! - `429` with `Retry-After: 1`, and `500`, without forwarding the request;
//! - a stalled response: nothing is answered for longer than the client waits, then the
//!   connection is closed (the request is not forwarded);
//! - a dropped connection, without forwarding;
//! - the answer lost after the write took: the request is forwarded and performed, its answer
//!   thrown away and the connection dropped, as when a network fails on the way back.
//!
//! Every request may also be delayed (the benchmark's added latency), and recorded as the
//! client sent it ([`FaultProxy::recording`], for `request_bodies.rs`). Std only: a thread per
//! connection, one request per connection (the answer says `Connection: close`). A request's
//! fate is drawn from the seed, the request itself (its request line and body) and how many
//! times the same request came before, not from its place in the arrival order: a client
//! sends some reads at once, and they arrive in any order, yet one client's run is the same
//! faults for the same seed. `bench/src/bin/fault-proxy.rs` runs it as a program.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// What the proxy does to the requests it passes.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Requests answered with a fault, in percent (0 forwards every request).
    pub rate_percent: u32,
    /// The generator's seed: the same seed draws the same faults for the same requests.
    pub seed: u64,
    /// Added before every request is handled, faulted or not.
    pub latency: Duration,
    /// How long a stalled response keeps the client waiting: longer than its timeout.
    pub stall: Duration,
}

/// The ways a request fails, drawn with equal odds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    RateLimited,
    ServerError,
    Stalled,
    Dropped,
    AnswerLost,
}

const FAULTS: [Fault; 5] = [
    Fault::RateLimited,
    Fault::ServerError,
    Fault::Stalled,
    Fault::Dropped,
    Fault::AnswerLost,
];

/// What the proxy did, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests read from clients.
    pub requests: u64,
    /// Requests the server received (forwarded, including those whose answer was lost).
    pub forwarded: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub stalled: u64,
    pub dropped: u64,
    pub answers_lost: u64,
    /// The most requests that arrived within any one second.
    pub busiest_second: u64,
}

impl Counts {
    /// Requests answered with a fault.
    pub fn faults(&self) -> u64 {
        self.rate_limited + self.server_errors + self.stalled + self.dropped + self.answers_lost
    }

    fn count(&mut self, fault: Option<Fault>) {
        match fault {
            None => {}
            Some(Fault::RateLimited) => self.rate_limited += 1,
            Some(Fault::ServerError) => self.server_errors += 1,
            Some(Fault::Stalled) => self.stalled += 1,
            Some(Fault::Dropped) => self.dropped += 1,
            Some(Fault::AnswerLost) => self.answers_lost += 1,
        }
    }
}

/// One request as the client sent it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path, such as `/v1/features.create`.
    pub path: String,
    /// The body, de-chunked; empty when there is none.
    pub body: Vec<u8>,
    /// When the proxy had read it whole.
    pub arrived: Instant,
}

/// The shared state of a running proxy.
struct State {
    upstream: String,
    faults: Faults,
    generator: Mutex<Generator>,
    stopped: AtomicBool,
    /// Every request read, in arrival order, when the proxy records.
    recorded: Option<Mutex<Vec<Recorded>>>,
}

/// The seeded generator, and what it drew.
struct Generator {
    seed: u64,
    /// How many times each request (by its hash) came so far.
    seen: std::collections::HashMap<u64, u64>,
    counts: Counts,
    /// When each request arrived, for the busiest second.
    arrivals: Vec<Instant>,
}

impl State {
    /// Draws the fate of `request` and counts it.
    fn draw(&self, request: &Request) -> Option<Fault> {
        let mut guard = self
            .generator
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Generator {
            seed,
            seen,
            counts,
            arrivals,
        } = &mut *guard;
        let key = request.hash();
        let occurrence = seen.entry(key).or_insert(0);
        *occurrence += 1;
        // splitmix64's finalizer over the seed, the request and its occurrence: small, and
        // the same on every machine.
        let mut value = *seed ^ key ^ occurrence.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        value = (value ^ (value >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        value = (value ^ (value >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        value ^= value >> 31;
        let fault = (value % 100 < u64::from(self.faults.rate_percent))
            .then(|| FAULTS[usize::try_from((value >> 32) % 5).unwrap_or(0)]);
        counts.requests += 1;
        counts.count(fault);
        if matches!(fault, None | Some(Fault::AnswerLost)) {
            counts.forwarded += 1;
        }
        arrivals.push(Instant::now());
        fault
    }
}

/// A running proxy; stopped when dropped.
pub struct FaultProxy {
    /// `127.0.0.1:PORT`, where clients connect.
    pub address: String,
    state: Arc<State>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream` (`HOST:PORT`).
    pub fn start(upstream: &str, faults: Faults) -> std::io::Result<FaultProxy> {
        FaultProxy::listen("127.0.0.1:0", upstream, faults)
    }

    /// The same, on `listen`.
    pub fn listen(listen: &str, upstream: &str, faults: Faults) -> std::io::Result<FaultProxy> {
        FaultProxy::serve(listen, upstream, faults, false)
    }

    /// A proxy on a free loopback port that forwards every request to `upstream` without a
    /// fault or a delay, and records each ([`FaultProxy::recorded`]).
    pub fn recording(upstream: &str) -> std::io::Result<FaultProxy> {
        FaultProxy::recording_with_latency(upstream, Duration::ZERO)
    }

    /// The same, each request delayed by `latency` before it is forwarded: requests a client
    /// sends in turn arrive at least `latency` apart, requests it sends at once together.
    pub fn recording_with_latency(
        upstream: &str,
        latency: Duration,
    ) -> std::io::Result<FaultProxy> {
        let faults = Faults {
            rate_percent: 0,
            seed: 1,
            latency,
            stall: Duration::ZERO,
        };
        FaultProxy::serve("127.0.0.1:0", upstream, faults, true)
    }

    /// The requests recorded so far, in the order they arrived (empty unless recording).
    pub fn recorded(&self) -> Vec<Recorded> {
        self.state
            .recorded
            .as_ref()
            .map_or_else(Vec::new, |recorded| {
                recorded
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone()
            })
    }

    fn serve(
        listen: &str,
        upstream: &str,
        faults: Faults,
        record: bool,
    ) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind(listen)?;
        let address = listener.local_addr()?.to_string();
        let state = Arc::new(State {
            upstream: upstream.to_string(),
            faults,
            generator: Mutex::new(Generator {
                seed: faults.seed,
                seen: std::collections::HashMap::new(),
                counts: Counts::default(),
                arrivals: Vec::new(),
            }),
            stopped: AtomicBool::new(false),
            recorded: record.then(|| Mutex::new(Vec::new())),
        });
        let shared = Arc::clone(&state);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if shared.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&shared);
                thread::spawn(move || handle(&state, stream));
            }
        });
        Ok(FaultProxy { address, state })
    }

    /// What the proxy did so far.
    pub fn counts(&self) -> Counts {
        let generator = self
            .state
            .generator
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let arrivals = &generator.arrivals;
        // Arrivals are in order: for each, how many arrived within the second it starts.
        let mut busiest = 0;
        let mut end = 0;
        for (start, at) in arrivals.iter().enumerate() {
            while end < arrivals.len() && arrivals[end].duration_since(*at) < Duration::from_secs(1)
            {
                end += 1;
            }
            busiest = busiest.max(end - start);
        }
        Counts {
            busiest_second: u64::try_from(busiest).unwrap_or(u64::MAX),
            ..generator.counts
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees the flag.
        let _ = TcpStream::connect(&self.address);
    }
}

/// One client connection: one request, then the connection is closed.
fn handle(state: &State, client: TcpStream) {
    let Ok(reader) = client.try_clone() else {
        return;
    };
    let Some(request) = Request::read(&mut BufReader::new(reader)) else {
        return;
    };
    if state.stopped.load(Ordering::SeqCst) {
        return;
    }
    if let Some(recorded) = &state.recorded {
        recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request.recorded());
    }
    let fault = state.draw(&request);
    thread::sleep(state.faults.latency);
    let mut client = client;
    let request = request.to_bytes();
    match fault {
        None => {
            if let Some(answer) = forward(&state.upstream, &request) {
                let _ = client.write_all(&answer);
            }
        }
        Some(Fault::RateLimited) => answer(
            &mut client,
            "429 Too Many Requests",
            "Retry-After: 1\r\n",
            r#"{"message":"Too many requests (injected by the fault proxy)","code":"rate_limit_exceeded"}"#,
        ),
        Some(Fault::ServerError) => answer(
            &mut client,
            "500 Internal Server Error",
            "",
            r#"{"message":"Internal error (injected by the fault proxy)","code":"internal_error"}"#,
        ),
        Some(Fault::Stalled) => thread::sleep(state.faults.stall),
        Some(Fault::Dropped) => {}
        Some(Fault::AnswerLost) => {
            let _ = forward(&state.upstream, &request);
        }
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// A request read whole from a client: its request line, its headers but those the proxy
/// sets itself (`Connection`, `Content-Length`, `Transfer-Encoding`), and its body de-chunked.
struct Request {
    line: String,
    headers: Vec<String>,
    body: Vec<u8>,
}

impl Request {
    /// `None` when the client closed first or sent something that is not HTTP/1.1.
    fn read(reader: &mut impl BufRead) -> Option<Request> {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_string();
        let mut headers = Vec::new();
        let mut length = 0usize;
        let mut chunked = false;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).ok()? == 0 {
                return None;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().ok()?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            } else if !name.eq_ignore_ascii_case("connection") {
                headers.push(header.to_string());
            }
        }
        let body = if chunked {
            read_chunked(reader)?
        } else {
            let mut body = vec![0; length];
            reader.read_exact(&mut body).ok()?;
            body
        };
        Some(Request {
            line,
            headers,
            body,
        })
    }

    /// FNV-1a over the request line and the body: the same request, the same hash, on every
    /// machine.
    fn hash(&self) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self
            .line
            .bytes()
            .chain([0])
            .chain(self.body.iter().copied())
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash
    }

    fn recorded(&self) -> Recorded {
        let mut parts = self.line.split_whitespace();
        Recorded {
            method: parts.next().unwrap_or_default().to_string(),
            path: parts.next().unwrap_or_default().to_string(),
            body: self.body.clone(),
            arrived: Instant::now(),
        }
    }

    /// The request as it is forwarded: its body's length stated, `Connection: close`.
    fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.body.len() + 512);
        bytes.extend_from_slice(self.line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        for header in &self.headers {
            bytes.extend_from_slice(header.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        let framing = format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        );
        bytes.extend_from_slice(framing.as_bytes());
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// A chunked body, its chunks joined.
fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).ok()?;
        let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
        // The chunk and the line end after it.
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

/// Sends `request` to the server and reads its whole answer (it closes the connection after
/// it, as the request asked).
fn forward(upstream: &str, request: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).ok()?;
    server.write_all(request).ok()?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).ok()?;
    Some(answer)
}

fn answer(client: &mut TcpStream, status: &str, headers: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = client.write_all(response.as_bytes());
}
