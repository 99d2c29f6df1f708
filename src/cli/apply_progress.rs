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
    Bar(ProgressBar, UnderWay),
}

/// The changes started and not yet finished: one, or the run a bulk request carries.
#[derive(Default)]
pub struct UnderWay {
    /// The first of them: its index and how progress names it.
    first: Option<(usize, String)>,
    /// How many.
    count: usize,
}

impl UnderWay {
    /// The bar's prefix and message: `3/705`, `update plan.pro`; or for a run of changes in one
    /// request, `3-202/705`, `create feature.a (and 199 more)`.
    fn shown(&self, total: usize) -> Option<(String, String)> {
        let (first, name) = self.first.as_ref()?;
        Some(if self.count > 1 {
            (
                format!("{}-{}/{total}", first + 1, first + self.count),
                format!("{name} (and {} more)", self.count - 1),
            )
        } else {
            (format!("{}/{total}", first + 1), name.clone())
        })
    }
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
            Shown::Bar => {
                StderrProgress::Bar(bar(ProgressDrawTarget::stderr()), UnderWay::default())
            }
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
            StderrProgress::Bar(bar, under_way) => {
                if under_way.count == 0 {
                    under_way.first = Some((index, progress_change(change)));
                    bar.set_position(index as u64);
                }
                under_way.count += 1;
                if let Some((prefix, message)) = under_way.shown(total) {
                    bar.set_prefix(prefix);
                    bar.set_message(message);
                }
                bar.set_length(total as u64);
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
            StderrProgress::Bar(bar, under_way) => {
                under_way.count = under_way.count.saturating_sub(1);
                if under_way.count == 0 {
                    under_way.first = None;
                }
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
        if let StderrProgress::Bar(bar, _) = self
            && !bar.is_finished()
        {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BAR_TEMPLATE, Shown, StderrProgress, UnderWay};

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
    fn the_bar_names_the_change_under_way_or_the_first_of_a_run_and_how_many_more() {
        let mut under_way = UnderWay::default();
        assert_eq!(under_way.shown(9), None);
        under_way.first = Some((2, "update plan.pro".into()));
        under_way.count = 1;
        assert_eq!(
            under_way.shown(9),
            Some(("3/9".into(), "update plan.pro".into()))
        );
        under_way.count = 4;
        assert_eq!(
            under_way.shown(9),
            Some(("3-6/9".into(), "update plan.pro (and 3 more)".into()))
        );
    }

    #[test]
    fn the_bar_template_parses() {
        assert!(indicatif::ProgressStyle::with_template(BAR_TEMPLATE).is_ok());
    }
}
