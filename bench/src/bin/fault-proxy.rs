//! The tests' fault-injecting proxy as a program, for the apply benchmark (docs/performance.md)
//! and runs by hand: it listens on loopback in front of `pricectl serve`, delays every request
//! and, at a rate, answers with a fault (`tests/integration/fault_proxy.rs` says which).
//!
//! ```text
//! fault-proxy UPSTREAM [--listen ADDR] [--latency-ms N] [--rate PERCENT] [--seed N] [--stall-ms N]
//! ```
//!
//! It prints `PROXY_URL=http://ADDR` once listening, and runs until its stdin closes; then it
//! prints what it counted (`requests=… forwarded=… …`) on stderr and exits.

#[path = "../../../tests/integration/fault_proxy.rs"]
#[allow(dead_code)]
mod fault_proxy;

use std::io::Read as _;
use std::process::ExitCode;
use std::time::Duration;

use fault_proxy::{FaultProxy, Faults};

fn parse_args() -> Result<(String, String, Faults), String> {
    let usage = "usage: fault-proxy UPSTREAM [--listen ADDR] [--latency-ms N] [--rate PERCENT] [--seed N] [--stall-ms N]";
    let mut args = std::env::args().skip(1);
    let mut upstream = None;
    let mut listen = "127.0.0.1:0".to_string();
    let mut faults = Faults {
        rate_percent: 0,
        seed: 1,
        latency: Duration::ZERO,
        stall: Duration::from_secs(40),
    };
    let number = |value: Option<String>| -> Result<u64, String> {
        value
            .as_deref()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| usage.to_string())
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().ok_or(usage)?,
            "--latency-ms" => faults.latency = Duration::from_millis(number(args.next())?),
            "--rate" => {
                faults.rate_percent = u32::try_from(number(args.next())?)
                    .ok()
                    .filter(|rate| *rate <= 100)
                    .ok_or("--rate is a percentage, 0 to 100")?;
            }
            "--seed" => faults.seed = number(args.next())?,
            "--stall-ms" => faults.stall = Duration::from_millis(number(args.next())?),
            "-h" | "--help" => return Err(usage.into()),
            _ if upstream.is_none() => upstream = Some(arg),
            _ => return Err(usage.into()),
        }
    }
    let upstream = upstream.ok_or(usage)?;
    let upstream = upstream
        .strip_prefix("http://")
        .unwrap_or(&upstream)
        .trim_end_matches('/')
        .to_string();
    Ok((upstream, listen, faults))
}

fn main() -> ExitCode {
    let (upstream, listen, faults) = match parse_args() {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let proxy = match FaultProxy::listen(&listen, &upstream, faults) {
        Ok(proxy) => proxy,
        Err(error) => {
            eprintln!("cannot listen on {listen}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("PROXY_URL=http://{}", proxy.address);
    // The benchmark script stops the proxy by closing its stdin: no signal handling needed.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    let counts = proxy.counts();
    eprintln!(
        "requests={} forwarded={} rate_limited={} server_errors={} stalled={} dropped={} answers_lost={} busiest_second={}",
        counts.requests,
        counts.forwarded,
        counts.rate_limited,
        counts.server_errors,
        counts.stalled,
        counts.dropped,
        counts.answers_lost,
        counts.busiest_second
    );
    ExitCode::SUCCESS
}
