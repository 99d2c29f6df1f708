//! The words of a plan: its reasons and refusals, as every view says them. The diff decides
//! and records its facts; this is the one place that turns them into sentences, so the text,
//! Markdown, GitHub and JSON views say the same thing.
//!
//! Addresses are in backticks: the Markdown view keeps those spans as code.

use std::fmt::Write as _;

use crate::diff::{Action, Plan, Reason, Refusal, RefusalReason, User};
use crate::live::{Environment, Unmanaged};

/// Why a change is what it is: "removed from the pricing, but 12 customers on it: archived
/// instead of deleted".
pub fn reason_words(reason: &Reason) -> String {
    match reason {
        Reason::NotLive => "not in the live catalog".into(),
        Reason::Differs => "differs from the pricing".into(),
        Reason::NoCustomersOnIt => {
            "differs from the pricing; no customer is on it, so it is changed in place".into()
        }
        Reason::DecidedAtPlanTime => {
            "what customers pay changes; whether customers on the current version keep it (a new version) or it changes in place is decided by `pricectl plan` against the live system".into()
        }
        Reason::ChargesUnchanged => {
            "differs from the pricing; what customers pay does not change".into()
        }
        Reason::Grandfathered { version, .. } => format!(
            "what customers on version {version} pay is kept there (grandfathered); the change becomes version {}",
            u64::from(*version) + 1
        ),
        Reason::Removed => "removed from the pricing".into(),
        Reason::RemovedFromPlan => "removed from the plan".into(),
        Reason::KeptForCustomers { customers } => {
            let kept = if *customers > 0 {
                format!("{customers} customer{} on it", plural(*customers))
            } else {
                "customers have been on it".into()
            };
            archived_because(&kept)
        }
        Reason::KeptInUse { users } => {
            let names: Vec<String> = users.iter().map(user).collect();
            let verb = if users.len() == 1 { "uses" } else { "use" };
            archived_because(&format!("{} still {verb} it", names.join(", ")))
        }
    }
}

/// What a plan made against a live environment says at the top of every view.
pub fn environment_banner(plan: &Plan) -> Option<&'static str> {
    (plan.environment == Some(Environment::Live)).then_some(
        "this plan was made against a LIVE environment: applying it changes the catalog real customers buy from",
    )
}

/// The heading of what the billing system holds that pricectl does not manage.
pub const UNMANAGED_HEADING: &str =
    "Not managed by pricectl (kept as it is: never changed or deleted by an apply):";

/// One thing pricectl does not manage: "`plan.pro`: billing controls (`auto_topups`)".
pub fn unmanaged_words(unmanaged: &Unmanaged) -> String {
    let mut words = format!("`{}`: {}", unmanaged.place, unmanaged.what);
    if unmanaged.whole_object {
        words.push_str(
            " (set aside whole: pricectl cannot express it, and the pricing may not name it)",
        );
    }
    words
}

/// What `pricectl import` writes above the pricing when the billing system holds what the
/// language cannot express: a comment, one line each, so nothing is dropped silently.
pub fn unmanaged_comment(unmanaged: &[Unmanaged]) -> String {
    if unmanaged.is_empty() {
        return String::new();
    }
    let mut comment = format!("# {UNMANAGED_HEADING}\n");
    for entry in unmanaged {
        let words = unmanaged_words(entry).replace(['\n', '\r'], " ");
        let _ = writeln!(comment, "# - {words}");
    }
    comment.push('\n');
    comment
}

/// The billing system's own preview, as lines: whether it agrees, what it says of plans with
/// customers or new versions, and each disagreement. Empty for a plan without one.
pub fn verdict_lines(plan: &Plan) -> Vec<String> {
    let Some(verdict) = &plan.verdict else {
        return Vec::new();
    };
    let system = &verdict.system;
    let mut lines = Vec::new();
    if let Some(refused) = &verdict.refused {
        lines.push(format!(
            "{system} refused to preview the pricing: {refused}"
        ));
    } else if verdict.agrees() {
        lines.push(format!("{system}'s own preview agrees with this plan."));
    } else {
        lines.push(format!(
            "{system}'s own preview disagrees with this plan on {} object{}; `apply` refuses unless run with `--override-preview`:",
            verdict.disagreements.len(),
            plural(verdict.disagreements.len() as u64)
        ));
    }
    for disagreement in &verdict.disagreements {
        let theirs = match &disagreement.blocked {
            Some(reason) => format!("{system} would refuse it ({reason})"),
            None => format!("{system} would {}", action_phrase(disagreement.system)),
        };
        lines.push(format!(
            "- `{}`: pricectl would {}; {theirs}",
            disagreement.address,
            action_phrase(disagreement.pricectl)
        ));
    }
    for view in &verdict.objects {
        if let Some(customers) = view.customers.filter(|customers| *customers > 0) {
            let versions = if view.action == Some(Action::NewVersion) {
                format!("; {system} makes a new version and they stay")
            } else {
                String::new()
            };
            lines.push(format!(
                "- `{}`: {customers} customer{} on its current version{versions}",
                view.address,
                plural(customers),
            ));
        }
    }
    lines
}

/// What a change does, after "would": "update it in place", "leave it as it is".
fn action_phrase(action: Option<Action>) -> &'static str {
    match action {
        None => "leave it as it is",
        Some(Action::Create) => "create it",
        Some(Action::Update) => "update it in place",
        Some(Action::NewVersion) => "make a new version of it",
        Some(Action::Delete) => "delete it",
        Some(Action::Archive) => "archive it",
    }
}

/// A refusal: what the plan would do that it may not, and how to make it possible.
pub fn refusal_words(refusal: &Refusal) -> (String, String) {
    let address = refusal
        .address
        .as_ref()
        .map_or_else(|| "catalog".to_string(), ToString::to_string);
    match &refusal.why {
        RefusalReason::CurrencyChange { live, pricing } => (
            format!("the live catalog is in {live} and the pricing in {pricing}"),
            "a catalog's currency cannot change: every price and balance is in it; keep the currency, or start a new catalog".into(),
        ),
        RefusalReason::ProtectedRemoval { action } => (
            format!(
                "`{address}` is protected, and this plan would {} it",
                infinitive(*action)
            ),
            format!(
                "protection is recorded in the live catalog: put `{address}` back in the pricing with `protect = false`, apply that, then remove it"
            ),
        ),
        RefusalReason::ProtectedArchive => (
            format!("`{address}` is protected, and this plan would archive it"),
            format!("apply `protect = false` on `{address}` first, then archive it"),
        ),
    }
}

fn archived_because(kept: &str) -> String {
    format!("removed from the pricing, but {kept}: archived instead of deleted")
}

/// "`credit_system.credits`", "`plan.pro (an older version with customers)`".
fn user(user: &User) -> String {
    if user.older_version {
        format!("`{} (an older version with customers)`", user.address)
    } else {
        format!("`{}`", user.address)
    }
}

/// "this plan would delete it".
fn infinitive(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::NewVersion => "version",
        Action::Delete => "delete",
        Action::Archive => "archive",
    }
}

fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::{reason_words, refusal_words};
    use crate::catalog::Address;
    use crate::diff::{Action, Reason, Refusal, RefusalReason, User};

    #[test]
    fn reasons_name_their_facts() {
        let cases = [
            (
                Reason::Grandfathered {
                    version: 2,
                    customers: 3,
                },
                "what customers on version 2 pay is kept there (grandfathered); the change becomes version 3",
            ),
            (
                Reason::KeptForCustomers { customers: 1 },
                "removed from the pricing, but 1 customer on it: archived instead of deleted",
            ),
            (
                Reason::KeptForCustomers { customers: 0 },
                "removed from the pricing, but customers have been on it: archived instead of deleted",
            ),
            (
                Reason::KeptInUse {
                    users: vec![User {
                        address: Address::plan("pro"),
                        older_version: true,
                    }],
                },
                "removed from the pricing, but `plan.pro (an older version with customers)` still uses it: archived instead of deleted",
            ),
            (
                Reason::KeptInUse {
                    users: vec![
                        User {
                            address: Address::credit_system("credits"),
                            older_version: false,
                        },
                        User {
                            address: Address::plan("pro"),
                            older_version: false,
                        },
                    ],
                },
                "removed from the pricing, but `credit_system.credits`, `plan.pro` still use it: archived instead of deleted",
            ),
        ];
        for (reason, words) in cases {
            assert_eq!(reason_words(&reason), words);
        }
    }

    #[test]
    fn refusals_say_how_to_proceed() {
        let (reason, help) = refusal_words(&Refusal {
            address: Some(Address::feature("seats")),
            why: RefusalReason::ProtectedRemoval {
                action: Action::Archive,
            },
        });
        assert_eq!(
            reason,
            "`feature.seats` is protected, and this plan would archive it"
        );
        assert!(help.contains("put `feature.seats` back in the pricing with `protect = false`"));
        let (reason, _) = refusal_words(&Refusal {
            address: None,
            why: RefusalReason::CurrencyChange {
                live: "USD".into(),
                pricing: "EUR".into(),
            },
        });
        assert_eq!(reason, "the live catalog is in USD and the pricing in EUR");
    }
}
