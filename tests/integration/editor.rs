//! Editor validation, proven: Taplo (Even Better TOML in VS Code, Zed, Neovim, Helix) and
//! Tombi (its VS Code extension and language server) check pricing files against the
//! committed schema, selected by the files' `#:schema` line, and report the mistakes users
//! make. See docs/editor.md.
//!
//! The tools come from the Python package index (`.ci/run` installs the pinned versions). Without them the tests
//! fail in CI (`CI` set) and are skipped, with a notice, elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{examples, pricectl, root};

/// The versions `.ci/run` installs, for the notices.
const INSTALL: &str = "python3 -m pip install taplo==0.9.3 tombi==1.9.6";

struct Tool {
    name: &'static str,
    program: &'static str,
    /// The command that checks files against their schema.
    lint: &'static [&'static str],
}

const TOOLS: [Tool; 2] = [
    Tool {
        name: "Taplo",
        program: "taplo",
        // No `.taplo.toml` is looked for: the `#:schema` line alone selects the schema.
        lint: &["lint", "--no-auto-config", "--colors", "never"],
    },
    Tool {
        name: "Tombi",
        program: "tombi",
        // Offline: no schema catalog is fetched; the `#:schema` line names a local file.
        lint: &["lint", "--offline"],
    },
];

/// Where a tool's binary is: on `PATH`, or among the scripts of `python3`'s packages.
fn locate(tool: &Tool) -> Option<PathBuf> {
    let runs = |program: &Path| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if runs(Path::new(tool.program)) {
        return Some(PathBuf::from(tool.program));
    }
    let scripts = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
        .ok()?;
    let program = PathBuf::from(String::from_utf8(scripts.stdout).ok()?.trim()).join(tool.program);
    runs(&program).then_some(program)
}

/// The installed tools; in CI a missing tool fails the test, elsewhere it is skipped.
fn tools() -> Vec<(&'static Tool, PathBuf)> {
    let mut found = Vec::new();
    for tool in &TOOLS {
        match locate(tool) {
            Some(program) => found.push((tool, program)),
            None if std::env::var_os("CI").is_some() => {
                panic!(
                    "{} (`{}`) is not installed; `.ci/run` installs it: {INSTALL}",
                    tool.name, tool.program
                )
            }
            None => eprintln!(
                "notice: {} (`{}`) is not installed, so its editor checks are skipped; install it with: {INSTALL}",
                tool.name, tool.program
            ),
        }
    }
    found
}

/// Lints one file; the exit code and everything the tool printed.
fn lint(tool: &Tool, program: &Path, file: &Path, directory: &Path) -> (Option<i32>, String) {
    let output: Output = Command::new(program)
        .args(tool.lint)
        .arg(file)
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap_or_else(|error| panic!("{} runs: {error}", tool.name));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

#[test]
fn examples_are_clean_in_taplo_and_tombi() {
    for (tool, program) in tools() {
        for example in examples() {
            let file = example.join("pricing.toml");
            let (code, text) = lint(tool, &program, &file, &root());
            assert_eq!(
                code,
                Some(0),
                "{} reports problems in {}:\n{text}",
                tool.name,
                file.display()
            );
        }
    }
}

/// A fixture's expectation, from its first line: `# expect line N: word, word`.
fn expectation(text: &str) -> (usize, Vec<String>) {
    let first = text.lines().next().unwrap_or_default();
    let rest = first
        .strip_prefix("# expect line ")
        .expect("an editor fixture starts with `# expect line N: words`");
    let (line, words) = rest.split_once(": ").expect("`N: words`");
    (
        line.parse().expect("a line number"),
        words.split(", ").map(str::to_lowercase).collect(),
    )
}

#[test]
fn editor_tools_report_each_mistake_on_its_line() {
    let tools = tools();
    let directory = root().join("tests/fixtures/editor");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("tests/fixtures/editor")
        .map(|entry| entry.expect("entry").path())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 4);
    for fixture in fixtures {
        let text = std::fs::read_to_string(&fixture).expect("fixture");
        let (line, words) = expectation(&text);
        let name = fixture.file_name().expect("a name").to_string_lossy();
        // The compiler reports it too: the schema only says earlier what validate says.
        let compilation = pricectl::compile_path(&fixture).expect("loads");
        assert!(compilation.error_count() > 0, "{name} is valid pricing");
        for (tool, program) in &tools {
            let (code, output) = lint(tool, program, &fixture, &root());
            assert_eq!(
                code,
                Some(1),
                "{} does not report {name}:\n{output}",
                tool.name
            );
            assert!(
                output.contains(&format!("{name}:{line}:")),
                "{} does not point at line {line} of {name}:\n{output}",
                tool.name
            );
            let lowercase = output.to_lowercase();
            for word in &words {
                assert!(
                    lowercase.contains(word.as_str()),
                    "{} does not name `{word}` for {name}:\n{output}",
                    tool.name
                );
            }
        }
    }
}

#[test]
fn the_schema_line_is_what_selects_the_schema() {
    let tools = tools();
    let directory = tempfile::tempdir().expect("temp dir");
    let enum_value = std::fs::read_to_string(root().join("tests/fixtures/editor/enum_value.toml"))
        .expect("fixture");
    let mut without = enum_value
        .lines()
        .filter(|line| !line.starts_with("#:schema"))
        .collect::<Vec<_>>()
        .join("\n");
    without.push('\n');
    let file = directory.path().join("pricing.toml");
    std::fs::write(&file, without).expect("write");
    for (tool, program) in &tools {
        let (code, output) = lint(tool, program, &file, directory.path());
        assert_eq!(
            code,
            Some(0),
            "{} checks a file without `#:schema` against some schema:\n{output}",
            tool.name
        );
    }
}

#[test]
fn an_initialized_project_is_checked_against_its_own_schema() {
    let tools = tools();
    let directory = tempfile::tempdir().expect("temp dir");
    let output = pricectl()
        .current_dir(directory.path())
        .args(["init", "--template", "saas-seats-credits"])
        .output()
        .expect("init runs");
    assert!(output.status.success());
    let pricing = directory.path().join("pricing.toml");
    let text = std::fs::read_to_string(&pricing).expect("pricing");
    let broken = directory.path().join("broken.toml");
    std::fs::write(
        &broken,
        text.replacen("type = \"metered\"", "type = \"meterd\"", 1),
    )
    .expect("write");
    for (tool, program) in &tools {
        let (code, output) = lint(tool, program, Path::new("pricing.toml"), directory.path());
        assert_eq!(code, Some(0), "{}:\n{output}", tool.name);
        let (code, output) = lint(tool, program, Path::new("broken.toml"), directory.path());
        assert_eq!(
            code,
            Some(1),
            "{} does not use ./pricing.schema.json:\n{output}",
            tool.name
        );
        assert!(output.contains("meterd"), "{}:\n{output}", tool.name);
    }
}

/// A minimal language-server client: one request at a time, answers read on a thread so a
/// silent server fails the test instead of hanging it.
struct LanguageServer {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    messages: std::sync::mpsc::Receiver<serde_json::Value>,
}

impl LanguageServer {
    fn start(program: &Path, args: &[&str]) -> LanguageServer {
        use std::io::{BufRead, BufReader, Read};
        let mut child = Command::new(program)
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .env("TOMBI_OFFLINE", "true")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the language server starts");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if stdout.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(value) = header.strip_prefix("Content-Length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if stdout.read_exact(&mut body).is_err() {
                    return;
                }
                let Ok(message) = serde_json::from_slice(&body) else {
                    return;
                };
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        LanguageServer {
            child,
            stdin,
            messages,
        }
    }

    fn send(&mut self, message: &serde_json::Value) {
        use std::io::Write;
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: &serde_json::Value) {
        self.send(&serde_json::json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, id: u64, method: &str, params: &serde_json::Value) -> serde_json::Value {
        self.send(
            &serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            let Ok(message) = self.messages.recv_timeout(left) else {
                break;
            };
            if message.get("method").is_some() {
                if let Some(request) = message.get("id") {
                    // A request from the server (configuration, capabilities): no answer.
                    let reply =
                        serde_json::json!({ "jsonrpc": "2.0", "id": request, "result": null });
                    self.send(&reply);
                }
                continue;
            }
            if message["id"] == id {
                return message["result"].clone();
            }
        }
        panic!("the language server did not answer `{method}`");
    }
}

impl Drop for LanguageServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What an editor shows with Tombi's language server: the schema's description on hover, and
/// the words of a closed set as completions. (the Taplo build on the Python package index has no language server;
/// Even Better TOML bundles its own.)
#[test]
fn tombi_shows_descriptions_on_hover_and_completes_words() {
    let Some((_, program)) = tools()
        .into_iter()
        .find(|(tool, _)| tool.program == "tombi")
    else {
        return;
    };
    let path = root().join("pricing-examples/openai-credits/pricing.toml");
    let text = std::fs::read_to_string(&path).expect("example").replacen(
        "type = \"metered\"\ndisplay",
        "type = \ndisplay",
        1,
    );
    let lines: Vec<&str> = text.lines().collect();
    let name_line = lines
        .iter()
        .position(|line| line.starts_with("name = "))
        .expect("a name");
    let type_line = lines
        .iter()
        .position(|line| *line == "type = ")
        .expect("the emptied type");
    let uri = format!("file://{}", path.display());

    let mut server = LanguageServer::start(&program, &["lsp"]);
    server.request(
        1,
        "initialize",
        &serde_json::json!({
            "processId": null,
            "rootUri": format!("file://{}", root().display()),
            "capabilities": { "textDocument": { "hover": { "contentFormat": ["markdown"] } } }
        }),
    );
    server.notify("initialized", &serde_json::json!({}));
    server.notify(
        "textDocument/didOpen",
        &serde_json::json!({ "textDocument": { "uri": uri, "languageId": "toml", "version": 1, "text": text } }),
    );
    // The server reads the document and its schema in the background: ask until it answers
    // (it says `null` before), for up to ten seconds.
    let mut hover = serde_json::Value::Null;
    for attempt in 0..50 {
        hover = server.request(
            2 + attempt,
            "textDocument/hover",
            &serde_json::json!({ "textDocument": { "uri": uri }, "position": { "line": name_line, "character": 1 } }),
        );
        if !hover.is_null() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        shown.contains("Display name; defaults to the id."),
        "hover shows the schema's description: {hover}"
    );
    let completion = server.request(
        100,
        "textDocument/completion",
        &serde_json::json!({ "textDocument": { "uri": uri }, "position": { "line": type_line, "character": 7 } }),
    );
    let items = completion
        .get("items")
        .unwrap_or(&completion)
        .as_array()
        .cloned()
        .unwrap_or_default();
    let labels: Vec<&str> = items
        .iter()
        .filter_map(|item| item["label"].as_str())
        .collect();
    assert!(
        labels.contains(&"\"metered\"") && labels.contains(&"\"boolean\""),
        "completion offers the feature types: {labels:?}"
    );
}
