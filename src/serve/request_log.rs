//! The request log: one line per request on stderr (method, route, status, duration; never a
//! key or a body), written by a thread of its own. A request appends its line to a buffer,
//! with no system call; the thread writes whatever the buffer holds in one call. An idle
//! server's line appears at once; a busy one writes many lines per call. (`eprintln!` on the
//! unbuffered stderr made a system call for each piece of every line, and the request waited
//! for them.)

use std::fmt;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

/// The most text waiting to be written: past it (stderr not being read, so the writer is
/// stuck) lines are counted, not kept, and the count is written once the writer catches up.
const MOST_WAITING: usize = 1 << 20;

/// Where requests append their lines. Cloned into every request handler.
#[derive(Clone)]
pub struct RequestLog {
    shared: Arc<Shared>,
}

/// The thread that writes the lines; [`LogWriter::finish`] writes what is left and stops it.
pub struct LogWriter {
    shared: Arc<Shared>,
    thread: JoinHandle<()>,
}

struct Shared {
    waiting: Mutex<Waiting>,
    /// Told when the first line arrives in an empty buffer, and when the log closes.
    arrived: Condvar,
}

#[derive(Default)]
struct Waiting {
    text: Vec<u8>,
    /// Lines not kept since the last write (the buffer was full).
    dropped: u64,
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // A writer that panicked mid-line leaves at worst a partial line: keep logging.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl RequestLog {
    /// Starts the thread writing to `out` (stderr for the server).
    pub fn start(out: impl Write + Send + 'static) -> std::io::Result<(RequestLog, LogWriter)> {
        let shared = Arc::new(Shared {
            waiting: Mutex::new(Waiting::default()),
            arrived: Condvar::new(),
        });
        let thread = std::thread::Builder::new()
            .name("pricectl-log".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || write_lines(&shared, out)
            })?;
        Ok((
            RequestLog {
                shared: Arc::clone(&shared),
            },
            LogWriter { shared, thread },
        ))
    }

    /// Appends one line (`line` without its newline).
    pub fn line(&self, line: fmt::Arguments<'_>) {
        let mut waiting = self.shared.lock();
        if waiting.text.len() >= MOST_WAITING {
            waiting.dropped += 1;
            return;
        }
        let was_empty = waiting.text.is_empty();
        // Writing to a Vec cannot fail.
        let _ = waiting.text.write_fmt(line);
        waiting.text.push(b'\n');
        drop(waiting);
        if was_empty {
            self.shared.arrived.notify_one();
        }
    }
}

impl LogWriter {
    /// Writes every line appended so far, then stops the thread.
    pub fn finish(self) {
        self.shared.lock().closed = true;
        self.shared.arrived.notify_one();
        let _ = self.thread.join();
    }
}

/// The thread: waits for lines, writes all that wait in one call, until closed and drained.
fn write_lines(shared: &Shared, mut out: impl Write) {
    let mut batch = Vec::new();
    loop {
        let mut waiting = shared.lock();
        while waiting.text.is_empty() && waiting.dropped == 0 && !waiting.closed {
            waiting = shared
                .arrived
                .wait(waiting)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if waiting.text.is_empty() && waiting.dropped == 0 && waiting.closed {
            return;
        }
        std::mem::swap(&mut batch, &mut waiting.text);
        let dropped = std::mem::take(&mut waiting.dropped);
        drop(waiting);
        if dropped > 0 {
            let _ = writeln!(
                batch,
                "({dropped} request log lines were not written: stderr was not being read)"
            );
        }
        // Nothing better to do with a failed write of the log than to go on serving.
        let _ = out.write_all(&batch).and_then(|()| out.flush());
        batch.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// An output kept in memory; the first write waits for `release` once it said `entered`.
    struct Held {
        text: Arc<Mutex<Vec<u8>>>,
        gate: Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>,
    }

    impl Write for Held {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if let Some((entered, release)) = self.gate.take() {
                entered.send(()).expect("the test waits");
                release.recv().expect("the test releases");
            }
            self.text.lock().expect("text").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn written(text: &Arc<Mutex<Vec<u8>>>) -> String {
        String::from_utf8(text.lock().expect("text").clone()).expect("text")
    }

    #[test]
    fn every_line_is_written_in_order_by_the_finish() {
        let text = Arc::new(Mutex::new(Vec::new()));
        let (log, writer) = RequestLog::start(Held {
            text: Arc::clone(&text),
            gate: None,
        })
        .expect("started");
        let threads: Vec<_> = (0..4)
            .map(|thread| {
                let log = log.clone();
                std::thread::spawn(move || {
                    for line in 0..500 {
                        log.line(format_args!("POST /v1/balances.track 200 {thread}-{line}"));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("a thread");
        }
        writer.finish();
        let written = written(&text);
        assert_eq!(written.lines().count(), 2000);
        for thread in 0..4 {
            let order: Vec<u32> = written
                .lines()
                .filter_map(|line| {
                    line.strip_prefix(&format!("POST /v1/balances.track 200 {thread}-"))
                })
                .map(|line| line.parse().expect("a number"))
                .collect();
            assert_eq!(order, (0..500).collect::<Vec<_>>(), "thread {thread}");
        }
    }

    #[test]
    fn lines_past_the_limit_while_the_output_is_stuck_are_counted_not_kept() {
        let text = Arc::new(Mutex::new(Vec::new()));
        let (entered, entered_seen) = mpsc::channel();
        let (release, released) = mpsc::channel();
        let (log, writer) = RequestLog::start(Held {
            text: Arc::clone(&text),
            gate: Some((entered, released)),
        })
        .expect("started");
        log.line(format_args!("first"));
        entered_seen
            .recv()
            .expect("the writer is stuck in its first write");
        let line = "x".repeat(99);
        let lines = MOST_WAITING / 100 + 50;
        for _ in 0..lines {
            log.line(format_args!("{line}"));
        }
        release.send(()).expect("released");
        writer.finish();
        let written = written(&text);
        let kept = MOST_WAITING.div_ceil(100);
        assert_eq!(written.lines().filter(|text| *text == line).count(), kept);
        assert!(
            written.contains(&format!(
                "({} request log lines were not written: stderr was not being read)",
                lines - kept
            )),
            "{}",
            &written[written.len().saturating_sub(200)..]
        );
    }
}
