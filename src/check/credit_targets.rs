use crate::catalog::FeatureType;
use crate::diagnostics::{Code, Diagnostic};

use super::{Declaration, Model};

/// `pricectl::invalid_credit_target`: a credit system draws only from metered features.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (system, cost) in model.costs() {
        match model.resolve(&cost.id.value) {
            Some(Declaration::Feature(feature)) => {
                let Some(kind) = &feature.value.kind else {
                    continue;
                };
                if kind.value == FeatureType::Boolean {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidCreditTarget,
                            format!("credit system `{}` draws from boolean feature `{}`", system.id.value, cost.id.value),
                            cost.id.span.clone(),
                            "a boolean feature has no usage to pay for",
                        )
                        .with_related(kind.span.clone(), "declared boolean here")
                        .with_help(format!(
                            "remove this cost, or make `{}` a metered feature if its usage should draw credits",
                            cost.id.value
                        )),
                    );
                }
            }
            Some(Declaration::CreditSystem(target)) => diagnostics.push(
                Diagnostic::new(
                    Code::InvalidCreditTarget,
                    format!(
                        "credit system `{}` draws from credit system `{}`",
                        system.id.value, cost.id.value
                    ),
                    cost.id.span.clone(),
                    "a credit system cannot draw from another credit system",
                )
                .with_related(target.id.span.clone(), "declared as a credit system here")
                .with_help("list the metered features themselves in this credit system's `costs`"),
            ),
            None => {} // reported by the reference rule
        }
    }
}
