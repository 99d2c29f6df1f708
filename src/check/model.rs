use std::collections::BTreeMap;

use crate::catalog::{Currency, FeatureType};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::dsl::document::{
    CostDocument, CreditSystemDocument, FeatureDocument, ItemDocument, PlanDocument,
};
use crate::dsl::{Entry, ParsedFile, Spanned};

/// Every object of a catalog's files, merged by id, as the rules see them.
///
/// An id defined twice is reported here (`duplicate_id`) and only its first definition is
/// kept, so the rules judge each object once.
pub struct Model<'a> {
    pub features: BTreeMap<&'a str, &'a Entry<FeatureDocument>>,
    pub credit_systems: BTreeMap<&'a str, &'a Entry<CreditSystemDocument>>,
    pub plans: BTreeMap<&'a str, &'a Entry<PlanDocument>>,
    /// The catalog's currency, when it is given and valid.
    pub currency: Option<&'static Currency>,
    /// Every `currency` key of every file, for the currency rule.
    pub currency_keys: Vec<&'a Spanned<String>>,
    /// The files, for rules that need a place to report something missing.
    pub files: &'a [ParsedFile],
}

/// What an id used as a reference resolves to.
#[derive(Debug, Clone, Copy)]
pub enum Declaration<'a> {
    Feature(&'a Entry<FeatureDocument>),
    CreditSystem(&'a Entry<CreditSystemDocument>),
}

impl<'a> Model<'a> {
    pub fn build(files: &'a [ParsedFile], diagnostics: &mut Vec<Diagnostic>) -> Model<'a> {
        let mut model = Model {
            features: BTreeMap::new(),
            credit_systems: BTreeMap::new(),
            plans: BTreeMap::new(),
            currency: None,
            currency_keys: Vec::new(),
            files,
        };
        // Features and credit systems share one namespace, as in Autumn. Ids are claimed in
        // source order, so "first defined here" is the first in the file.
        let mut declarations: Vec<(&Span, &'static str, Declaration<'a>)> = Vec::new();
        let mut plans = Vec::new();
        for parsed in files {
            let document = &parsed.document;
            if let Some(currency) = &document.currency {
                model.currency_keys.push(currency);
            }
            for entry in document
                .features
                .iter()
                .flat_map(|features| features.value.iter())
            {
                declarations.push((&entry.id.span, "feature", Declaration::Feature(entry)));
            }
            for entry in document
                .credit_systems
                .iter()
                .flat_map(|systems| systems.value.iter())
            {
                declarations.push((
                    &entry.id.span,
                    "credit system",
                    Declaration::CreditSystem(entry),
                ));
            }
            plans.extend(document.plans.iter().flat_map(|plans| plans.value.iter()));
        }
        declarations.sort_by(|left, right| left.0.cmp(right.0));
        let mut namespace: BTreeMap<&str, (&Span, &'static str)> = BTreeMap::new();
        for (_, kind, declaration) in declarations {
            let id = match declaration {
                Declaration::Feature(entry) => &entry.id,
                Declaration::CreditSystem(entry) => &entry.id,
            };
            if claim(&mut namespace, id, kind, diagnostics) {
                match declaration {
                    Declaration::Feature(entry) => {
                        model.features.insert(&entry.id.value, entry);
                    }
                    Declaration::CreditSystem(entry) => {
                        model.credit_systems.insert(&entry.id.value, entry);
                    }
                }
            }
        }
        let mut plan_ids: BTreeMap<&str, (&Span, &'static str)> = BTreeMap::new();
        for entry in plans {
            if claim(&mut plan_ids, &entry.id, "plan", diagnostics) {
                model.plans.insert(&entry.id.value, entry);
            }
        }
        model.currency = model
            .currency_keys
            .first()
            .and_then(|currency| Currency::from_code(&currency.value));
        model
    }

    /// The feature or credit system an id names.
    pub fn resolve(&self, id: &str) -> Option<Declaration<'a>> {
        if let Some(feature) = self.features.get(id) {
            return Some(Declaration::Feature(feature));
        }
        self.credit_systems
            .get(id)
            .map(|system| Declaration::CreditSystem(system))
    }

    /// The declared type of a feature, when it was readable.
    pub fn feature_type(&self, id: &str) -> Option<FeatureType> {
        self.features
            .get(id)
            .and_then(|feature| feature.value.kind.as_ref())
            .map(|kind| kind.value)
    }

    /// The `consumable = false` of a metered feature that is allocated (seats, projects): its
    /// usage is a level held until released, never reset.
    pub fn allocated(&self, id: &str) -> Option<&'a Spanned<bool>> {
        if self.feature_type(id) != Some(FeatureType::Metered) {
            return None;
        }
        self.features
            .get(id)
            .and_then(|feature| feature.value.consumable.as_ref())
            .filter(|consumable| !consumable.value)
    }

    /// Whether `key` of the table at `table` was present but unreadable (already reported).
    pub fn is_invalid(&self, table: &Span, key: &str) -> bool {
        self.files.iter().any(|file| file.is_invalid(table, key))
    }

    /// Whether any table had an unreadable `key` (already reported).
    pub fn any_invalid(&self, key: &str) -> bool {
        self.files
            .iter()
            .any(|file| file.invalid_keys.iter().any(|(_, invalid)| *invalid == key))
    }

    /// Every id features and credit systems may be referenced by, for suggestions.
    pub fn referable_ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.features
            .keys()
            .chain(self.credit_systems.keys())
            .copied()
    }
}

/// Records an id; reports and refuses it when it is taken.
fn claim<'a>(
    taken: &mut BTreeMap<&'a str, (&'a Span, &'static str)>,
    id: &'a Spanned<String>,
    kind: &'static str,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    if let Some((first, first_kind)) = taken.get(id.value.as_str()) {
        let help = if *first_kind == kind {
            format!("each {kind} is defined once, in one file; rename or remove one of them")
        } else {
            "features and credit systems share one namespace; rename one of them".to_string()
        };
        diagnostics.push(
            Diagnostic::new(
                Code::DuplicateId,
                format!("the id `{}` is defined twice", id.value),
                id.span.clone(),
                format!("defined again here, as a {kind}"),
            )
            .with_related(
                (*first).clone(),
                format!("first defined here, as a {first_kind}"),
            )
            .with_help(help),
        );
        return false;
    }
    taken.insert(&id.value, (&id.span, kind));
    true
}

impl<'a> Model<'a> {
    /// Every item of every plan, with its plan.
    pub fn items(
        &self,
    ) -> impl Iterator<Item = (&'a Entry<PlanDocument>, &'a Entry<ItemDocument>)> + '_ {
        self.plans.values().flat_map(|plan| {
            plan.value
                .items
                .iter()
                .flat_map(|items| items.value.iter())
                .map(move |item| (*plan, item))
        })
    }

    /// Every cost of every credit system, with its credit system.
    pub fn costs(
        &self,
    ) -> impl Iterator<Item = (&'a Entry<CreditSystemDocument>, &'a Entry<CostDocument>)> + '_ {
        self.credit_systems.values().flat_map(|system| {
            system
                .value
                .costs
                .iter()
                .flat_map(|costs| costs.value.iter())
                .map(move |cost| (*system, cost))
        })
    }
}

/// Whether an optional flag (`archived`, `default`, …) is given as `true`.
pub fn is_set(flag: Option<&Spanned<bool>>) -> bool {
    flag.is_some_and(|flag| flag.value)
}

/// Whether a plan is archived: no new customer gets it, so rules about what new customers
/// would meet skip it.
pub fn is_archived(plan: &PlanDocument) -> bool {
    is_set(plan.archived.as_ref())
}
