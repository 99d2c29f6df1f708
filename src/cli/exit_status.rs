use std::process::ExitCode;

use crate::backend::BackendError;

/// The process exit status, in one place.
///
/// `plan --detailed-exitcode` follows Terraform: 0 no changes, 1 error, 2 changes. So nothing
/// else may exit 2: usage errors exit 64 (`EX_USAGE`). Terraform exits 1 for every error;
/// pricectl exits 3 when the billing system or its store could not be used, so a CI job tells
/// "the pricing is wrong" (1: fix it) from "the billing system is down" (3: retry later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did what was asked.
    Success,
    /// The input is wrong, something failed, or an apply was refused.
    Failure,
    /// `plan --detailed-exitcode` found changes.
    Changes,
    /// The billing system or its store could not be used (unreachable, rate-limited,
    /// credentials refused, unreadable or corrupt): nothing was judged of the pricing.
    Operational,
    /// The command line itself is wrong.
    Usage,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
            ExitStatus::Operational => 3,
            ExitStatus::Usage => 64,
        }
    }
}

impl ExitStatus {
    /// The status of a command stopped by `error`: operational failures exit 3, a change the
    /// billing system rejected or a conflict with the live catalog exit 1.
    pub fn of_backend_error(error: &BackendError) -> ExitStatus {
        if error.kind().is_operational() {
            ExitStatus::Operational
        } else {
            ExitStatus::Failure
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}
