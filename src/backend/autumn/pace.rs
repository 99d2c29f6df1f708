//! Staying under Autumn's rate limit: 25 requests per second per organization, whichever
//! `pricectl` process sends them.
//!
//! Autumn counts requests per organization and environment (its key is the limit's type, the
//! organization's id and the environment: `getRateLimitKey` in
//! `server/src/internal/misc/rateLimiter/rateLimitFactory.ts`), so a `plan` and an `apply`
//! run back to back, or several run at once, share one limit. Each process paces its
//! requests together with every other that uses the same API URL and key, through a small
//! file in the user's cache ([`shared_file`]): the starts of the last second or so, read and
//! written under the file's lock. When the file cannot be opened or locked, the process paces
//! its own requests alone, without an error: that is what it did before, and it still holds the
//! limit for one process.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Autumn's limit for catalog calls, per organization.
pub const REQUESTS_PER_SECOND: u32 = 25;

/// The window the starts are counted in: a second, and a margin for the requests' different
/// transit times. Requests started exactly a second apart arrive less than a second apart when
/// the first takes a little longer on its way, so a limit of 25 in any second at the sender
/// is 26 at the receiver (measured through the fault proxy in docs/reliability.md: transit
/// differs by up to 113 ms on loopback on a loaded machine). With 25 starts in any 1.2 s, 25
/// arrive in any second as long as transit times differ by less than 200 ms.
pub const WINDOW: Duration = Duration::from_millis(1200);

/// How long a request waits for another process to let go of the shared file before it is
/// paced by its own process alone (a process holds the lock for the time of a small read and
/// write; a stopped one could hold it for ever).
const LOCK_PATIENCE: Duration = Duration::from_millis(100);

/// Holds request starts to at most `rate` in any [`WINDOW`] (a sliding window): a burst of up
/// to `rate` requests, such as a fetch's independent reads sent at once, starts without
/// waiting, and the request after them waits until the oldest of the last `rate` starts is a
/// window old. Spacing every start `1 / rate` apart would hold the limit too, but would make
/// reads sent together wait 40 ms each for no reason.
///
/// A start is counted when the request is let go ([`Pace::try_start`]), not reserved ahead:
/// the count is of requests on their way, with other processes' among them.
#[derive(Debug)]
pub struct Pace {
    rate: usize,
    /// This process's last `rate` starts, oldest first: what it paces by when the shared file
    /// cannot be used.
    own: VecDeque<Micros>,
    /// Of those, the starts made while the shared file could not be used: written into it when
    /// it can again.
    unwritten: Vec<Micros>,
    /// The file shared by the processes of one API URL and key, when it could be opened.
    shared: Option<File>,
}

/// Microseconds since the Unix epoch: the one clock that processes share.
type Micros = u64;

fn micros(time: SystemTime) -> Micros {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_micros()).unwrap_or(u64::MAX)
    })
}

impl Pace {
    /// A pace of this process's requests alone.
    pub fn per_second(rate: u32) -> Pace {
        let rate = usize::try_from(rate.max(1)).unwrap_or(1);
        Pace {
            rate,
            own: VecDeque::with_capacity(rate),
            unwritten: Vec::new(),
            shared: None,
        }
    }

    /// A pace shared with every process that paces through the file at `path` (created, with
    /// its directories, if missing); this process's alone if it cannot be opened.
    pub fn shared(rate: u32, path: &Path) -> Pace {
        let mut pace = Pace::per_second(rate);
        pace.shared = open(path);
        pace
    }

    /// Whether the pace is shared with other processes (its file could be opened).
    #[cfg(test)]
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// `None` when a request may start now, which is then counted; otherwise how long to wait
    /// before asking again (another process may take the slot meanwhile).
    pub fn try_start(&mut self) -> Option<Duration> {
        self.try_start_at(SystemTime::now)
    }

    /// [`Pace::try_start`] with `clock` telling the time (read after the shared file is locked,
    /// so no other process starts a request between the reading and the counting).
    pub fn try_start_at(&mut self, clock: impl Fn() -> SystemTime) -> Option<Duration> {
        let rate = self.rate;
        let unwritten = &self.unwritten;
        let shared = self
            .shared
            .as_mut()
            .and_then(|file| with_lock(file, |file| exchange(file, unwritten, rate, &clock)));
        if let Some((wait, now)) = shared {
            self.unwritten.clear();
            if wait.is_none() {
                // Kept for the requests the shared file might fail for later.
                self.own.push_back(now);
                while self.own.len() > rate {
                    self.own.pop_front();
                }
            }
            return wait;
        }
        let wait = next(&mut self.own, micros(clock()), rate);
        if wait.is_none() {
            self.unwritten.extend(self.own.back());
            let excess = self.unwritten.len().saturating_sub(rate);
            self.unwritten.drain(..excess);
        }
        wait
    }
}

/// The decision for a request at `now` given the recent `starts` (oldest first): `None`, and
/// `now` counted among them, or the wait until the oldest of the last `rate` is a window old.
/// Starts a window old or more are forgotten; so are starts after `now`, which only a clock
/// set back can have made.
fn next(starts: &mut VecDeque<Micros>, now: Micros, rate: usize) -> Option<Duration> {
    let window = u64::try_from(WINDOW.as_micros()).unwrap_or(u64::MAX);
    starts.retain(|start| *start <= now && now - *start < window);
    while starts.len() > rate {
        starts.pop_front();
    }
    if starts.len() < rate {
        starts.push_back(now);
        return None;
    }
    let oldest = starts.front().copied().unwrap_or(now);
    Some(Duration::from_micros(oldest + window - now))
}

/// The shared file at `path`, opened for reading and writing.
fn open(path: &Path) -> Option<File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).ok()?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .ok()
}

/// `work` on `file` under its exclusive lock, taken within [`LOCK_PATIENCE`]; `None` when the
/// lock could not be had or `work` failed.
fn with_lock<T>(file: &mut File, work: impl FnOnce(&mut File) -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + LOCK_PATIENCE;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(_) => return None,
        }
    }
    let outcome = work(file);
    // Closing the file would release it too; a failed unlock leaves it to the next try's
    // patience.
    let _ = file.unlock();
    outcome
}

/// Reads the starts the file holds (one number of microseconds a line; anything else is
/// skipped) and this process's `unwritten` ones, decides for a request now, and writes them back (with it,
/// when it starts): the decision and the time it was made.
fn exchange(
    file: &mut File,
    unwritten: &[Micros],
    rate: usize,
    clock: &impl Fn() -> SystemTime,
) -> Option<(Option<Duration>, Micros)> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    // A file cut short or holding something else is read for what it holds.
    let _ = file.read_to_end(&mut bytes);
    let mut starts: Vec<Micros> = String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .chain(unwritten.iter().copied())
        .collect();
    starts.sort_unstable();
    let mut starts = VecDeque::from(starts);
    let now = micros(clock());
    let wait = next(&mut starts, now, rate);
    if wait.is_none() || !unwritten.is_empty() {
        let text = starts.iter().fold(String::new(), |mut text, start| {
            let _ = writeln!(text, "{start}");
            text
        });
        file.set_len(0).ok()?;
        file.seek(SeekFrom::Start(0)).ok()?;
        file.write_all(text.as_bytes()).ok()?;
    }
    Some((wait, now))
}

/// Where the processes using `url` and `key` keep their shared pace: a file under the user's
/// cache directory (`$XDG_CACHE_HOME`, else the platform's: `~/.cache` on Linux,
/// `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows), in `pricectl/pace/`, named by
/// the SHA-256 of the URL and the key (never the key itself). `None` when there is no such
/// directory (no home).
pub fn shared_file(url: &str, key: &str) -> Option<PathBuf> {
    let cache = cache_directory()?;
    let mut hasher = Sha256::new();
    for part in ["pricectl pace", url, key] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let name = hasher.finalize()[..16]
        .iter()
        .fold(String::new(), |mut name, byte| {
            let _ = write!(name, "{byte:02x}");
            name
        });
    Some(cache.join("pricectl").join("pace").join(name))
}

/// The user's cache directory.
fn cache_directory() -> Option<PathBuf> {
    let variable = |name: &str| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    if let Some(cache) = variable("XDG_CACHE_HOME") {
        return Some(cache);
    }
    if cfg!(windows) {
        return variable("LOCALAPPDATA");
    }
    let home = variable("HOME")?;
    if cfg!(target_os = "macos") {
        Some(home.join("Library").join("Caches"))
    } else {
        Some(home.join(".cache"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock stopped at `millis` after an origin.
    fn at(millis: u64) -> impl Fn() -> SystemTime {
        move || UNIX_EPOCH + Duration::from_secs(1_800_000_000) + Duration::from_millis(millis)
    }

    /// How many of `starts` (milliseconds) fall within any one `window`.
    fn most_within(starts: &[u64], window: Duration) -> usize {
        let window = u64::try_from(window.as_millis()).expect("a window in milliseconds");
        (0..starts.len())
            .map(|first| {
                starts[first..]
                    .iter()
                    .take_while(|start| **start < starts[first] + window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Starts requests one after another through `paces` in turn, each as soon as its pace
    /// lets it (following the waits on a stopped clock), until `count` started: their times.
    fn start_in_turn(paces: &mut [Pace], count: usize) -> Vec<u64> {
        let mut now = 0;
        let mut starts = Vec::new();
        while starts.len() < count {
            let pace = &mut paces[starts.len() % paces.len()];
            match pace.try_start_at(at(now)) {
                None => starts.push(now),
                Some(wait) => now += u64::try_from(wait.as_millis()).expect("milliseconds"),
            }
        }
        starts
    }

    #[test]
    fn no_window_holds_more_than_the_rate() {
        let mut pace = Pace::per_second(REQUESTS_PER_SECOND);
        // 100 requests asked for at once: 25 start at once, the next 25 a window later.
        let starts = start_in_turn(std::slice::from_mut(&mut pace), 100);
        assert_eq!(starts[0], 0);
        assert_eq!(starts[24], 0, "a burst up to the rate waits for nothing");
        assert_eq!(starts[25], 1200);
        assert_eq!(starts[99], 3600);
        assert_eq!(most_within(&starts, WINDOW), 25);
        // After a quiet spell nothing waits.
        assert_eq!(pace.try_start_at(at(10_000)), None);
    }

    #[test]
    fn requests_spread_over_time_count_only_within_their_window() {
        let mut pace = Pace::per_second(2);
        assert_eq!(pace.try_start_at(at(0)), None);
        assert_eq!(pace.try_start_at(at(600)), None);
        // A third within the first's window waits until it is a window old.
        assert_eq!(pace.try_start_at(at(700)), Some(Duration::from_millis(500)));
        assert_eq!(pace.try_start_at(at(1200)), None);
        // The fourth waits for the second's start (600 ms) to be a window old.
        assert_eq!(
            pace.try_start_at(at(1300)),
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn processes_sharing_a_file_share_the_rate() {
        let directory = tempfile::tempdir().expect("a temp dir");
        let path = directory.path().join("pricectl").join("pace").join("org");
        // Two processes' paces (each opens the file itself, as another process would).
        let mut paces = [
            Pace::shared(REQUESTS_PER_SECOND, &path),
            Pace::shared(REQUESTS_PER_SECOND, &path),
        ];
        assert!(paces.iter().all(Pace::is_shared));
        let starts = start_in_turn(&mut paces, 100);
        assert_eq!(
            most_within(&starts, WINDOW),
            25,
            "together, as one: {starts:?}"
        );
        assert_eq!(starts[25], 1200);
        // Paced alone, each would have let 25 start at once.
        let mut alone = [
            Pace::per_second(REQUESTS_PER_SECOND),
            Pace::per_second(REQUESTS_PER_SECOND),
        ];
        assert_eq!(most_within(&start_in_turn(&mut alone, 100), WINDOW), 50);
    }

    #[test]
    fn a_file_that_cannot_be_opened_or_read_leaves_the_process_pacing_alone() {
        let directory = tempfile::tempdir().expect("a temp dir");
        // Where the directory should be, a file.
        let blocker = directory.path().join("pricectl");
        std::fs::write(&blocker, "").expect("a file");
        let mut pace = Pace::shared(2, &blocker.join("pace").join("org"));
        assert!(!pace.is_shared());
        assert_eq!(pace.try_start_at(at(0)), None);
        assert_eq!(pace.try_start_at(at(0)), None);
        assert_eq!(pace.try_start_at(at(0)), Some(WINDOW), "still paced, alone");
        // Garbage in the shared file is skipped: the starts it holds still count.
        let path = directory.path().join("garbage");
        std::fs::write(&path, "not a number\n\u{0}\u{1}\n").expect("a file");
        let mut pace = Pace::shared(2, &path);
        assert_eq!(pace.try_start_at(at(0)), None);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(b"17\nxyz\n"))
            .expect("appended");
        assert_eq!(pace.try_start_at(at(100)), None);
        assert_eq!(
            pace.try_start_at(at(200)),
            Some(Duration::from_secs(1)),
            "two starts in the window, the ancient and the unreadable forgotten"
        );
    }

    #[test]
    fn a_file_locked_by_a_stopped_process_leaves_the_process_pacing_alone() {
        let directory = tempfile::tempdir().expect("a temp dir");
        let path = directory.path().join("org");
        let mut pace = Pace::shared(1, &path);
        let holder = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .expect("opened");
        holder.lock().expect("locked");
        // The lock is not had within its patience: the process's own starts decide.
        assert_eq!(pace.try_start_at(at(0)), None);
        assert_eq!(
            pace.try_start_at(at(100)),
            Some(Duration::from_millis(1100))
        );
        holder.unlock().expect("unlocked");
        // The file again: the start made without it counts, and is written into it, for the
        // other processes too.
        assert_eq!(pace.try_start_at(at(200)), Some(Duration::from_secs(1)));
        let mut other = Pace::shared(1, &path);
        assert_eq!(
            other.try_start_at(at(300)),
            Some(Duration::from_millis(900))
        );
        assert_eq!(pace.try_start_at(at(1200)), None);
        let held = std::fs::read_to_string(&path).expect("the file reads");
        assert_eq!(held.lines().count(), 1, "{held}");
    }

    #[test]
    fn the_file_is_named_by_a_hash_of_the_url_and_the_key() {
        let key = "am_sk_test_0123456789abcdef";
        let Some(path) = shared_file("https://api.useautumn.com", key) else {
            // No cache directory in this environment: nothing is shared, nothing to name.
            return;
        };
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        assert_eq!(name.len(), 32);
        assert!(name.chars().all(|character| character.is_ascii_hexdigit()));
        assert!(!path.to_string_lossy().contains(&key[..12]));
        assert!(path.ends_with(Path::new("pricectl").join("pace").join(&name)));
        let other = |url: &str, key: &str| shared_file(url, key).expect("the same directory");
        assert_eq!(other("https://api.useautumn.com", key), path);
        assert_ne!(other("http://127.0.0.1:1", key), path);
        assert_ne!(
            other("https://api.useautumn.com", "am_sk_test_another"),
            path
        );
    }
}
