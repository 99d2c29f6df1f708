//! `pricectl serve` killed with SIGKILL at a random point under a load of tracks and attaches
//! from several clients, restarted on the same store, again and again: every acknowledged
//! request is in the ledger exactly once, every request that was not acknowledged at most
//! once, and a retry of an acknowledged key is refused (409), never charged again.
//!
//! `PRICECTL_KILL_ROUNDS` sets the number of kills (20 by default; docs/reliability.md records
//! longer runs); `PRICECTL_KILL_SEED` replays the kill points of a run (each run prints its
//! seed).

use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use super::apply_pricing;
use super::server::{KEY, Server};
use crate::support::TestContext;

/// The clients sending at once.
const CLIENTS: usize = 4;

/// What a client sent, and whether the server acknowledged it (a 200 read whole).
#[derive(Debug, Clone)]
struct Sent {
    /// The `Idempotency-Key` header (for a track, also its body's `idempotency_key`).
    key: String,
    /// A track of the client's customer, or an attach of `pro` to a customer of its own.
    kind: Kind,
    acknowledged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Track,
    /// The customer attached (one per attach, so two subscriptions would be a double).
    Attach(String),
}

/// A small deterministic generator (xorshift64*), so a run's kill points can be replayed.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound
    }
}

fn seed() -> u64 {
    std::env::var("PRICECTL_KILL_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            u64::try_from(now.as_nanos() % u128::from(u64::MAX)).unwrap_or(1) | 1
        })
}

fn post(server: &Server, route: &str, key: &str, body: &str) -> std::io::Result<u16> {
    let auth = format!("Bearer {KEY}");
    server
        .try_request(
            "POST",
            &format!("/v1/{route}"),
            &[
                ("Authorization", &auth),
                ("X-API-Version", "2.1.0"),
                ("Idempotency-Key", key),
            ],
            body.as_bytes(),
        )
        .map(|response| {
            assert!(
                response.status == 200 || response.status == 503,
                "{route} {key}: {}",
                response.summary()
            );
            response.status
        })
}

/// One client's requests until the server stops answering: tracks of its customer, and now
/// and then an attach of `pro` to a new customer.
fn client(server: &Server, round: usize, client: usize, sent: &Mutex<Vec<Sent>>) {
    for request in 0.. {
        let key = format!("r{round}-c{client}-{request}");
        let (kind, answered) = if request % 4 == 3 {
            let customer = format!("attached-{key}");
            let created = post(
                server,
                "customers.get_or_create",
                &format!("create-{key}"),
                &format!(r#"{{"customer_id":"{customer}"}}"#),
            );
            if !matches!(created, Ok(200)) {
                return;
            }
            let body = format!(
                r#"{{"customer_id":"{customer}","plan_id":"pro","feature_quantities":[{{"feature_id":"credits","quantity":2000}},{{"feature_id":"seats","quantity":2}}]}}"#
            );
            (
                Kind::Attach(customer),
                post(server, "billing.attach", &key, &body),
            )
        } else {
            let body = format!(
                r#"{{"customer_id":"tracked-{client}","feature_id":"ai-messages","value":1,"overage_behavior":"overflow","idempotency_key":"{key}"}}"#
            );
            (Kind::Track, post(server, "balances.track", &key, &body))
        };
        let acknowledged = matches!(answered, Ok(200));
        sent.lock().expect("the log").push(Sent {
            key,
            kind,
            acknowledged,
        });
        if !acknowledged {
            return;
        }
    }
}

fn kill(server: &Server) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// How many times each request is in the ledger: a track by its idempotency key among the
/// entries, an attach by its customer's subscriptions.
fn times_in_ledger(store: &rusqlite::Connection, sent: &Sent) -> u32 {
    match &sent.kind {
        Kind::Track => store.query_row(
            "SELECT COUNT(*) FROM entries WHERE idempotency_key = ?1",
            [format!("track:{}", sent.key)],
            |row| row.get(0),
        ),
        Kind::Attach(customer) => store.query_row(
            "SELECT COUNT(*) FROM subscriptions WHERE customer_id = ?1 AND plan_id = 'pro'",
            [customer],
            |row| row.get(0),
        ),
    }
    .expect("the store answers")
}

/// Every acknowledged request once, every other at most once; `checked` requests were
/// already found there.
fn check_ledger(context: &TestContext, sent: &[Sent]) {
    let store = rusqlite::Connection::open(context.path("local.db")).expect("the store opens");
    for request in sent {
        let times = times_in_ledger(&store, request);
        if request.acknowledged {
            assert_eq!(
                times, 1,
                "acknowledged, in the ledger {times} times: {request:?}"
            );
        } else {
            assert!(times <= 1, "in the ledger {times} times: {request:?}");
        }
    }
}

#[test]
fn every_acknowledged_request_survives_sigkill_exactly_once() {
    let rounds: usize = std::env::var("PRICECTL_KILL_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(20);
    let seed = seed();
    eprintln!("PRICECTL_KILL_SEED={seed}");
    let mut random = Random(seed);
    let context = TestContext::with_example("saas-seats-credits");
    apply_pricing(&context);
    let sent = Mutex::new(Vec::new());
    let mut server = Server::start(&context);
    for client in 0..CLIENTS {
        let created = server.post(
            "customers.get_or_create",
            &format!(r#"{{"customer_id":"tracked-{client}"}}"#),
        );
        assert_eq!(created.status, 200, "{}", created.body);
    }
    for round in 0..rounds {
        let delay = Duration::from_millis(random.below(400));
        thread::scope(|scope| {
            for client_number in 0..CLIENTS {
                let (server, sent) = (&server, &sent);
                scope.spawn(move || client(server, round, client_number, sent));
            }
            thread::sleep(delay);
            kill(&server);
        });
        let _ = server.child.wait();
        // A new server on the same store, as a supervisor would start it.
        server = Server::start(&context);
        let sent = sent.lock().expect("the log");
        check_ledger(&context, &sent);
        // A client that retries an acknowledged request is refused, and nothing is charged.
        if let Some(retried) = sent.iter().rev().find(|request| request.acknowledged) {
            let store =
                rusqlite::Connection::open(context.path("local.db")).expect("the store opens");
            let entries = |store: &rusqlite::Connection| -> u32 {
                store
                    .query_row("SELECT COUNT(*) FROM entries", [], |row| row.get(0))
                    .expect("the store answers")
            };
            let before = entries(&store);
            let (route, body) = match &retried.kind {
                Kind::Track => (
                    "balances.track",
                    format!(
                        r#"{{"customer_id":"tracked-0","feature_id":"ai-messages","value":1,"idempotency_key":"{}"}}"#,
                        retried.key
                    ),
                ),
                Kind::Attach(customer) => (
                    "billing.attach",
                    format!(r#"{{"customer_id":"{customer}","plan_id":"pro"}}"#),
                ),
            };
            let auth = format!("Bearer {KEY}");
            let answer = server.request(
                "POST",
                &format!("/v1/{route}"),
                &[("Authorization", &auth), ("Idempotency-Key", &retried.key)],
                body.as_bytes(),
            );
            assert_eq!(answer.status, 409, "{}", answer.body);
            assert_eq!(entries(&store), before, "a retry changed the ledger");
            assert_eq!(times_in_ledger(&store, retried), 1);
        }
    }
    let sent = sent.into_inner().expect("the log");
    let acknowledged = sent.iter().filter(|request| request.acknowledged).count();
    eprintln!(
        "{rounds} kills: {} requests sent, {acknowledged} acknowledged",
        sent.len()
    );
    // The kills fell during the load: requests were answered and some were cut off.
    assert!(acknowledged > 0);
    assert!(sent.len() > acknowledged);
}
