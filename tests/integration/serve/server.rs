//! A `pricectl serve` started for a test on a free loopback port, and a small HTTP/1.1 client
//! (std only) to talk to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Stdio};
use std::time::Duration;

use crate::support::TestContext;

/// The key every test server accepts.
pub const KEY: &str = "am_sk_test_pricectl_integration_key";

/// A running server over the store `local.db` of a test directory; stopped (SIGTERM) when
/// dropped.
pub struct Server {
    pub child: Child,
    pub address: String,
}

impl Server {
    /// Starts `pricectl serve` in `context`'s directory on port 0 with [`KEY`].
    pub fn start(context: &TestContext) -> Server {
        Server::start_with(context, &["--api-key", KEY])
    }

    pub fn start_with(context: &TestContext, args: &[&str]) -> Server {
        let mut child = context
            .command()
            .args(["serve", "--listen", "127.0.0.1:0", "--state", "local.db"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("pricectl serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut address = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("stdout is text");
            if let Some(url) = line.strip_prefix("ATMN_BACKEND_URL=http://") {
                address = Some(url.to_string());
                break;
            }
        }
        Server {
            address: address.expect("the server prints its address"),
            child,
        }
    }

    /// `POST /v1/<route>` with the test key and API version 2.1.0.
    pub fn post(&self, route: &str, body: &str) -> Response {
        self.try_post(route, body).expect("the server answers")
    }

    /// Any request, with these headers.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        self.try_request(method, path, headers, body)
            .unwrap_or_else(|error| panic!("{method} {path}: {error}"))
    }

    /// `POST /v1/<route>` as [`Server::post`] sends it; `Err` when the server is gone.
    pub fn try_post(&self, route: &str, body: &str) -> std::io::Result<Response> {
        self.try_request(
            "POST",
            &format!("/v1/{route}"),
            &[
                ("Authorization", &format!("Bearer {KEY}")),
                ("X-API-Version", "2.1.0"),
            ],
            body.as_bytes(),
        )
    }

    /// Any request, with these headers; an error when the connection fails or closes before
    /// a whole answer (a server killed meanwhile).
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        let mut stream = TcpStream::connect(&self.address)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(name);
            request.push_str(": ");
            request.push_str(value);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes())?;
        stream.write_all(body)?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        Response::parse(&answer).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("not a whole answer: {}", String::from_utf8_lossy(&answer)),
            )
        })
    }

    /// Stops the server with SIGTERM and returns its stderr and whether it exited 0.
    pub fn stop(mut self) -> (String, bool) {
        let stderr = self.child.stderr.take();
        terminate(&self.child);
        let status = self.child.wait().expect("the server exits");
        (read_all(stderr), status.success())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn terminate(child: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn read_all(stderr: Option<ChildStderr>) -> String {
    let mut text = String::new();
    if let Some(mut stderr) = stderr {
        stderr.read_to_string(&mut text).expect("stderr is text");
    }
    text
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// An answer read to the end of the connection; `None` unless it is whole (its body as
    /// long as its `Content-Length`).
    fn parse(raw: &[u8]) -> Option<Response> {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(": "))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
            .collect();
        let response = Response {
            status,
            headers,
            body: body.to_string(),
        };
        let whole = response
            .header("content-length")
            .and_then(|length| length.parse::<usize>().ok())
            .is_none_or(|length| length == response.body.len());
        whole.then_some(response)
    }

    /// The body as JSON (numbers kept as written).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("{error}: {} {}", self.status, self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }

    /// `STATUS BODY`, for snapshots.
    pub fn summary(&self) -> String {
        format!("{} {}", self.status, self.body)
    }
}
