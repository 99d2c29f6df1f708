//! What `apply` shows on stderr while a slow backend (a remote billing system) applies each
//! change: on a terminal, a bar with the change under way, which a request waiting out a rate
//! limit keeps alive; elsewhere (a CI log, a pipe, a file), one plain line as each change
//! starts and ends. An instant backend (the local store) and `--quiet` show nothing.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output::{is_quiet, print_note};
use crate::backend::{ApplyProgress, ChangeStatus};
use crate::diff::Change;
use crate::render::{progress_change, progress_finished, progress_started};

/// How progress is shown; chosen once, before the apply.
pub enum StderrProgress {
    Silent,
    /// Plain lines: `[2/5] update plan.pro …`, `[2/5] plan.pro: done`.
    Lines,
    /// A bar redrawn in place, cleared when the apply ends; a failed change leaves its line.
    Bar(ProgressBar),
}

/// What [`StderrProgress::choose`] picks, before a bar is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Silent,
    Lines,
    Bar,
}

impl StderrProgress {
    /// The progress for a backend that is `instant` or not, on this process's stderr.
    pub fn for_backend(instant: bool) -> StderrProgress {
        match StderrProgress::choose(instant, is_quiet(), std::io::stderr().is_terminal()) {
            Shown::Silent => StderrProgress::Silent,
            Shown::Lines => StderrProgress::Lines,
            Shown::Bar => StderrProgress::Bar(bar(ProgressDrawTarget::stderr())),
        }
    }

    /// A bar only where someone watches it redraw: a terminal. A log gets lines, which stay
    /// readable after the fact.
    fn choose(instant: bool, quiet: bool, terminal: bool) -> Shown {
        match (instant || quiet, terminal) {
            (true, _) => Shown::Silent,
            (false, true) => Shown::Bar,
            (false, false) => Shown::Lines,
        }
    }
}

/// A bar with no length yet: the apply tells it how many changes there are.
fn bar(target: ProgressDrawTarget) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, target);
    // The template is a constant: it parses, and a test says so.
    if let Ok(style) = ProgressStyle::with_template(BAR_TEMPLATE) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

const BAR_TEMPLATE: &str = "{spinner} {prefix} [{bar:30}] {msg}";

/// How often the spinner turns while a request is under way (a retry can wait a minute).
const TICK: Duration = Duration::from_millis(120);

impl ApplyProgress for StderrProgress {
    fn started(&mut self, index: usize, total: usize, change: &Change) {
        match self {
            StderrProgress::Silent => {}
            StderrProgress::Lines => print_note(&progress_started(index, total, change)),
            StderrProgress::Bar(bar) => {
                bar.set_prefix(format!("{}/{total}", index + 1));
                bar.set_message(progress_change(change));
                bar.set_length(total as u64);
                bar.set_position(index as u64);
                if index == 0 {
                    bar.enable_steady_tick(TICK);
                }
            }
        }
    }

    fn finished(&mut self, index: usize, total: usize, change: &Change, status: &ChangeStatus) {
        match self {
            StderrProgress::Silent => {}
            StderrProgress::Lines => print_note(&progress_finished(index, total, change, status)),
            StderrProgress::Bar(bar) => {
                bar.set_position(index as u64 + 1);
                if !status.is_applied() {
                    // The line of a change that did not take outlives the bar.
                    bar.println(progress_finished(index, total, change, status).trim_end());
                    bar.finish_and_clear();
                } else if index + 1 == total {
                    bar.finish_and_clear();
                }
            }
        }
    }
}

impl Drop for StderrProgress {
    /// An apply that ends early (a failure before any change) leaves no bar behind.
    fn drop(&mut self) {
        if let StderrProgress::Bar(bar) = self
            && !bar.is_finished()
        {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BAR_TEMPLATE, Shown, StderrProgress};

    #[test]
    fn a_bar_only_on_a_terminal_lines_in_a_log_nothing_when_instant_or_quiet() {
        let cases = [
            // (instant, quiet, terminal)
            ((false, false, true), Shown::Bar),
            ((false, false, false), Shown::Lines),
            ((false, true, true), Shown::Silent),
            ((false, true, false), Shown::Silent),
            ((true, false, true), Shown::Silent),
            ((true, false, false), Shown::Silent),
        ];
        for ((instant, quiet, terminal), shown) in cases {
            assert_eq!(
                StderrProgress::choose(instant, quiet, terminal),
                shown,
                "instant {instant}, quiet {quiet}, terminal {terminal}"
            );
        }
    }

    #[test]
    fn the_bar_template_parses() {
        assert!(indicatif::ProgressStyle::with_template(BAR_TEMPLATE).is_ok());
    }
}
