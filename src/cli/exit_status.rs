use std::process::ExitCode;

/// The process exit status, in one place.
///
/// `plan --detailed-exitcode` follows Terraform: 0 no changes, 1 error, 2 changes. So nothing
/// else may exit 2: usage errors exit 64 (`EX_USAGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did what was asked.
    Success,
    /// The input is wrong, something failed, or an apply was refused.
    Failure,
    /// `plan --detailed-exitcode` found changes.
    Changes,
    /// The command line itself is wrong.
    Usage,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
            ExitStatus::Usage => 64,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}
