//! Clients that try to hold `pricectl serve`: a body of a gigabyte, and slow-loris clients that
//! send their request a byte at a time or never finish it. The server reads at most its body
//! limit, stays small, drops the slow ones after its read timeout (10 s) and serves everyone
//! else meanwhile.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use super::server::{KEY, Server};
use super::{customer_with_credits, served_example};

/// The server's peak memory (`VmHWM` of /proc), in KiB.
fn peak_memory_kib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .expect("the server's /proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(&server.address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("a timeout");
    stream
}

/// Reads to the end of the connection; a reset counts as the end (the server closed with
/// bytes of ours unread).
fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(error) if error.kind() == ErrorKind::ConnectionReset => {}
        Err(error) => panic!("the server did not close the connection: {error}"),
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn a_gigabyte_body_is_refused_at_the_limit_in_bounded_memory() {
    const GIGABYTE: usize = 1 << 30;
    let (_context, server) = served_example();
    let mut stream = connect(&server);
    let head = format!(
        "POST /v1/balances.check HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {KEY}\r\nContent-Length: {GIGABYTE}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("the head is sent");
    let chunk = vec![b' '; 1 << 20];
    let mut sent = 0;
    while sent < GIGABYTE {
        match stream.write(&chunk) {
            Ok(written) => sent += written,
            // The server answered and closed the connection.
            Err(_) => break,
        }
    }
    let answer = read_answer(&mut stream);
    // The answer is 413, unless the close reset the connection before it was read.
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 413"),
        "{answer}"
    );
    // The server stopped reading at its 4 MiB limit (the rest of the bytes sent are what the
    // sockets' buffers held before the close was seen).
    assert!(sent < 64 << 20, "{sent} bytes were taken");
    assert_eq!(server.post("features.list", "").status, 200);
    let peak = peak_memory_kib(&server);
    eprintln!("{sent} bytes taken of a {GIGABYTE}-byte body; the server's peak: {peak} KiB");
    assert!(peak < 200 * 1024, "the server grew to {peak} KiB");
}

#[test]
fn slow_loris_clients_are_dropped_and_others_are_served_meanwhile() {
    let (_context, server) = served_example();
    let head = format!(
        "POST /v1/balances.check HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {KEY}\r\nContent-Length: 40\r\n\r\n"
    );
    thread::scope(|scope| {
        // A head sent in part, then nothing: closed after the read timeout, without an answer.
        let mut silent: Vec<TcpStream> = (0..32)
            .map(|_| {
                let mut stream = connect(&server);
                stream.write_all(&head.as_bytes()[..20]).expect("sends");
                stream
            })
            .collect();
        // A head a byte every 200 ms (about 20 s for all of it): cut off before it is done.
        let trickling: Vec<_> = (0..4)
            .map(|_| {
                let head = head.as_bytes();
                let server = &server;
                scope.spawn(move || {
                    let mut stream = connect(server);
                    for byte in head {
                        if stream.write_all(&[*byte]).is_err() {
                            return true;
                        }
                        thread::sleep(Duration::from_millis(200));
                    }
                    // The whole head was taken: the server must close before the body.
                    read_answer(&mut stream).is_empty()
                })
            })
            .collect();
        // A whole head and part of its body: 408 after the read timeout.
        let mut slow_body = connect(&server);
        slow_body.write_all(head.as_bytes()).expect("sends");
        slow_body.write_all(b"{\"customer_id\"").expect("sends");
        // Everyone else is served meanwhile.
        for _ in 0..10 {
            assert_eq!(server.post("features.list", "").status, 200);
        }
        for stream in &mut silent {
            assert_eq!(read_answer(stream), "");
        }
        let answer = read_answer(&mut slow_body);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("request_timeout"), "{answer}");
        for trickle in trickling {
            assert!(
                trickle.join().expect("the client"),
                "a trickled head was read"
            );
        }
    });
    assert_eq!(server.post("features.list", "").status, 200);
}

/// What the ledger refuses from the command line (`ledger::invalid_ids_keys_values_and_expiries_are_refused`)
/// it refuses over HTTP too, with 400 and nothing written: an empty, newline-bearing or
/// 100,000-character customer id, a track of 0, an empty or newline-bearing idempotency key,
/// a grant that expired before it was made.
#[test]
fn invalid_ids_keys_values_and_expiries_are_refused_over_http() {
    let (_context, server) = served_example();
    customer_with_credits(&server, 100);
    let long_id = "a".repeat(100_000);
    let cases = [
        ("customers.get_or_create", r#"{"customer_id":""}"#.to_string()),
        (
            "customers.get_or_create",
            r#"{"customer_id":"acme\nevil"}"#.to_string(),
        ),
        (
            "customers.get_or_create",
            format!(r#"{{"customer_id":"{long_id}"}}"#),
        ),
        (
            "balances.track",
            r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":0}"#.to_string(),
        ),
        (
            "balances.track",
            r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":10,"idempotency_key":""}"#
                .to_string(),
        ),
        (
            "balances.track",
            r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":10,"idempotency_key":"k\nforged"}"#
                .to_string(),
        ),
        (
            "balances.create",
            r#"{"customer_id":"u1","feature_id":"credits","included_grant":5,"expires_at":1000}"#
                .to_string(),
        ),
    ];
    let answers: Vec<String> = cases
        .iter()
        .map(|(route, body)| {
            let shown: String = body.chars().take(120).collect();
            let answer = server.post(route, body).summary();
            // The time a grant is made is the server's clock.
            let answer = match answer.split_once("made (") {
                Some((before, after)) => {
                    format!(
                        "{before}made ([now]{}",
                        &after[after.find(')').unwrap_or(0)..]
                    )
                }
                None => answer,
            };
            format!("{route} {shown}\n  {answer}")
        })
        .collect();
    insta::assert_snapshot!(answers.join("\n"));
    // An empty `Idempotency-Key` header is refused the same way.
    let headed = server.request(
        "POST",
        "/v1/balances.track",
        &[
            ("Authorization", &format!("Bearer {KEY}")),
            ("X-API-Version", "2.1.0"),
            ("Idempotency-Key", ""),
        ],
        br#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":10}"#,
    );
    assert_eq!(headed.status, 400, "{}", headed.body);
    assert!(
        headed
            .body
            .contains("invalid idempotency key ``: it is empty"),
        "{}",
        headed.body
    );
    // Nothing was written: u1 holds its 100 credits, and is the only customer.
    let customer = server
        .post("customers.get", r#"{"customer_id":"u1"}"#)
        .json();
    assert_eq!(
        customer["balances"]["credits"]["remaining"].to_string(),
        "100",
        "{customer}"
    );
    let listed = server.post("customers.list", "{}");
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(
        listed.json()["list"].as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.body
    );
}
