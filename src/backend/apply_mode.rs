//! How a backend sends a plan's changes to a billing system that can take several at once.

use std::fmt;
use std::str::FromStr;

/// How the changes of a plan are sent.
///
/// A billing system with a request that changes many objects at once (Autumn's
/// `catalog.update`) applies a plan in far fewer requests in bulk; change by change, each
/// change is its own request, and a failure names exactly the one that failed. Either way the
/// plan's order is kept and the report says, per change, applied, failed or not attempted. A
/// backend without a bulk request (the local store, one transaction) ignores the mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApplyMode {
    /// Runs of changes the bulk request can say go in one request each; the rest (removals,
    /// archives, anything it cannot say) change by change.
    #[default]
    Bulk,
    /// Every change through its own request.
    PerObject,
}

impl ApplyMode {
    /// The mode as `--apply-mode` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplyMode::Bulk => "bulk",
            ApplyMode::PerObject => "per-object",
        }
    }
}

impl fmt::Display for ApplyMode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A name that is not an apply mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an apply mode: use `bulk` or `per-object`")]
pub struct UnknownApplyMode(pub String);

impl FromStr for ApplyMode {
    type Err = UnknownApplyMode;

    fn from_str(name: &str) -> Result<ApplyMode, UnknownApplyMode> {
        match name {
            "bulk" => Ok(ApplyMode::Bulk),
            "per-object" => Ok(ApplyMode::PerObject),
            other => Err(UnknownApplyMode(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_reads_back_from_its_name_and_nothing_else_does() {
        for mode in [ApplyMode::Bulk, ApplyMode::PerObject] {
            assert_eq!(mode.as_str().parse::<ApplyMode>(), Ok(mode));
        }
        assert_eq!(ApplyMode::default(), ApplyMode::Bulk);
        assert!("per_object".parse::<ApplyMode>().is_err());
        assert!("Bulk".parse::<ApplyMode>().is_err());
    }
}
