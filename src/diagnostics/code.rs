use std::fmt;

/// How serious a diagnostic is. Errors stop compilation; warnings do not, unless the caller
/// denies them (`--deny-warnings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The registry of diagnostic codes.
///
/// Codes are a contract: CI users filter on them, so a code is never renamed or reused for a
/// different problem. Each one has an entry in `docs/diagnostics.md` (a test checks that the
/// entry exists and that its bad example really produces the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    Syntax,
    Version,
    UnknownKey,
    InvalidValue,
    InvalidId,
    DuplicateId,
    DuplicateItem,
    UnknownReference,
    InvalidCreditTarget,
    InvalidAmount,
    BooleanItem,
    Prepaid,
    Tiers,
    ResetInterval,
    AllocatedReset,
    ProrationUnpriced,
    ProrationNotPrepaid,
    MultipleDefaults,
    Currency,
    TopUpNotPrepaid,
    TopUpQuantity,
    TopUpThreshold,
    SpendLimit,
    LimitOnBoolean,
    LimitNotGranted,
    AlertThreshold,
    RolloverWithoutReset,
    ExpiryNotPrepaid,
    UnusedFeature,
    DoubleCharge,
    BelowMinimumCharge,
    FractionalCharge,
    TrialOnFreePlan,
    PaidDefault,
    IncludedWithoutReset,
    CreditSystemNotGranted,
    PrepaidMaxRounded,
}

impl Code {
    /// Every code, errors first, in the order the documentation lists them.
    pub const ALL: &'static [Code] = &[
        Code::Syntax,
        Code::Version,
        Code::UnknownKey,
        Code::InvalidValue,
        Code::InvalidId,
        Code::DuplicateId,
        Code::DuplicateItem,
        Code::UnknownReference,
        Code::InvalidCreditTarget,
        Code::InvalidAmount,
        Code::BooleanItem,
        Code::Prepaid,
        Code::Tiers,
        Code::ResetInterval,
        Code::AllocatedReset,
        Code::ProrationUnpriced,
        Code::ProrationNotPrepaid,
        Code::MultipleDefaults,
        Code::Currency,
        Code::TopUpNotPrepaid,
        Code::TopUpQuantity,
        Code::TopUpThreshold,
        Code::SpendLimit,
        Code::LimitOnBoolean,
        Code::LimitNotGranted,
        Code::AlertThreshold,
        Code::RolloverWithoutReset,
        Code::ExpiryNotPrepaid,
        Code::UnusedFeature,
        Code::DoubleCharge,
        Code::BelowMinimumCharge,
        Code::FractionalCharge,
        Code::TrialOnFreePlan,
        Code::PaidDefault,
        Code::IncludedWithoutReset,
        Code::CreditSystemNotGranted,
        Code::PrepaidMaxRounded,
    ];

    /// The stable name users see and filter on, `pricectl::<snake_case>`.
    pub fn name(self) -> &'static str {
        match self {
            Code::Syntax => "pricectl::syntax",
            Code::Version => "pricectl::version",
            Code::UnknownKey => "pricectl::unknown_key",
            Code::InvalidValue => "pricectl::invalid_value",
            Code::InvalidId => "pricectl::invalid_id",
            Code::DuplicateId => "pricectl::duplicate_id",
            Code::DuplicateItem => "pricectl::duplicate_item",
            Code::UnknownReference => "pricectl::unknown_reference",
            Code::InvalidCreditTarget => "pricectl::invalid_credit_target",
            Code::InvalidAmount => "pricectl::invalid_amount",
            Code::BooleanItem => "pricectl::boolean_item",
            Code::Prepaid => "pricectl::prepaid",
            Code::Tiers => "pricectl::tiers",
            Code::ResetInterval => "pricectl::reset_interval",
            Code::AllocatedReset => "pricectl::allocated_reset",
            Code::ProrationUnpriced => "pricectl::proration_unpriced",
            Code::ProrationNotPrepaid => "pricectl::proration_not_prepaid",
            Code::MultipleDefaults => "pricectl::multiple_defaults",
            Code::Currency => "pricectl::currency",
            Code::TopUpNotPrepaid => "pricectl::top_up_not_prepaid",
            Code::TopUpQuantity => "pricectl::top_up_quantity",
            Code::TopUpThreshold => "pricectl::top_up_threshold",
            Code::SpendLimit => "pricectl::spend_limit",
            Code::LimitOnBoolean => "pricectl::limit_on_boolean",
            Code::LimitNotGranted => "pricectl::limit_not_granted",
            Code::AlertThreshold => "pricectl::alert_threshold",
            Code::RolloverWithoutReset => "pricectl::rollover_without_reset",
            Code::ExpiryNotPrepaid => "pricectl::expiry_not_prepaid",
            Code::UnusedFeature => "pricectl::unused_feature",
            Code::DoubleCharge => "pricectl::double_charge",
            Code::BelowMinimumCharge => "pricectl::below_minimum_charge",
            Code::FractionalCharge => "pricectl::fractional_charge",
            Code::TrialOnFreePlan => "pricectl::trial_on_free_plan",
            Code::PaidDefault => "pricectl::paid_default",
            Code::IncludedWithoutReset => "pricectl::included_without_reset",
            Code::CreditSystemNotGranted => "pricectl::credit_system_not_granted",
            Code::PrepaidMaxRounded => "pricectl::prepaid_max_rounded",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::UnusedFeature
            | Code::DoubleCharge
            | Code::BelowMinimumCharge
            | Code::FractionalCharge
            | Code::TrialOnFreePlan
            | Code::PaidDefault
            | Code::IncludedWithoutReset
            | Code::CreditSystemNotGranted
            | Code::PrepaidMaxRounded => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Finds a code by its full name (`pricectl::tiers`) or its short name (`tiers`).
    pub fn from_name(name: &str) -> Option<Code> {
        let short = name.strip_prefix("pricectl::").unwrap_or(name);
        Code::ALL
            .iter()
            .copied()
            .find(|code| &code.name()["pricectl::".len()..] == short)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|code| code.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            assert_eq!(Code::from_name(code.name()), Some(*code));
            assert_eq!(Code::from_name(&code.name()[10..]), Some(*code));
        }
        assert_eq!(Code::from_name("pricectl::nope"), None);
    }
}
