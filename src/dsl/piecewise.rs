//! Reading a large pricing file piece by piece ([`super::pieces`]) into the one document that
//! reading it whole gives, so its parse tree never exists all at once.
//!
//! The first piece is read as a whole file is. Each later piece holds only headers under
//! `features`, `credit_systems` and `plans`, or lines of one table's body (`[features]`, a
//! credit system's costs, a plan's items): its new objects join the document, and the items of
//! a plan begun in an earlier piece join that plan.
//! TOML keeps the keys of a table sorted, and so the document's maps are sorted by id at the
//! end, as a whole read leaves them.

use std::collections::HashMap;

use toml::de::{DeTable, DeValue};

use super::document::{
    CostDocument, CreditSystemDocument, FeatureDocument, ItemDocument, PlanDocument,
    PricingDocument,
};
use super::pieces::{Body, Piece};
use super::reader::{Read, ReadContext, Value, read_entry};
use super::{Entry, IdMap, Spanned};
use crate::diagnostics::{Diagnostic, FileId, Span};

#[cfg(test)]
mod tests;

/// What reading a file gives besides diagnostics.
pub(crate) struct ReadFile {
    pub document: PricingDocument,
    pub invalid_keys: Vec<(Span, &'static str)>,
}

/// Parses and reads `text` in `pieces`. `None`, with nothing reported, when a piece has a TOML
/// error or is not what cutting promised: the caller reads the whole file instead, so a broken
/// file's diagnostics are the whole file's.
pub(crate) fn read_in_pieces(
    file: FileId,
    text: &str,
    pieces: &[Piece<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ReadFile> {
    let before = diagnostics.len();
    let read = read_pieces(file, text, pieces, diagnostics);
    if read.is_none() {
        diagnostics.truncate(before);
    }
    read
}

fn read_pieces(
    file: FileId,
    text: &str,
    pieces: &[Piece<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ReadFile> {
    let mut merged: Option<Merged> = None;
    let mut invalid_keys = Vec::new();
    for piece in pieces {
        let (root, errors) = DeTable::parse_recoverable(&text[piece.range.clone()]);
        if !errors.is_empty() {
            return None;
        }
        let root = toml::Spanned::new(root.span(), DeValue::Table(root.into_inner()));
        let mut cx = ReadContext {
            file,
            diagnostics: &mut *diagnostics,
            known_keys: None,
            invalid_keys: Vec::new(),
            offset: piece.range.start,
        };
        match &mut merged {
            None => merged = Some(Merged::new(PricingDocument::read_root(&root, &mut cx))),
            // A file whose version is missing or unknown is not read past it (as a whole file
            // is not); its pieces are still parsed, for their errors.
            Some(merged) if merged.document.version.is_none() => {}
            Some(merged) => match piece.continues {
                Some(body) => merged.read_body(body, &root, &mut cx)?,
                None => merged.read_objects(&root, piece.defines_features, &mut cx)?,
            },
        }
        invalid_keys.append(&mut cx.invalid_keys);
    }
    let mut merged = merged?;
    merged.sort();
    Some(ReadFile {
        document: merged.document,
        invalid_keys,
    })
}

/// The document read so far, with where each credit system and plan is in it.
struct Merged {
    document: PricingDocument,
    credit_systems: HashMap<String, usize>,
    plans: HashMap<String, usize>,
}

impl Merged {
    fn new(document: PricingDocument) -> Merged {
        Merged {
            credit_systems: positions(document.credit_systems.as_ref()),
            plans: positions(document.plans.as_ref()),
            document,
        }
    }

    /// A piece of headers: new features, credit systems and plans, and items of plans begun
    /// before. `None` when the piece holds anything else. `defines_features`: the piece holds
    /// the `[features]` header, whose place the features table takes.
    fn read_objects(
        &mut self,
        root: &Value<'_>,
        defines_features: bool,
        cx: &mut ReadContext<'_>,
    ) -> Option<()> {
        for (key, value) in table(root)? {
            match key.get_ref().as_ref() {
                "features" => {
                    let features = IdMap::<FeatureDocument>::read(value, cx, "features").ok()?;
                    join(&mut self.document.features, features, cx.span(value));
                    if defines_features {
                        self.document.features.as_mut()?.span = cx.span(value);
                    }
                }
                "credit_systems" => {
                    for (id, system) in table(value)? {
                        let entry = read_entry::<CreditSystemDocument>(id, system, cx);
                        let systems = self
                            .document
                            .credit_systems
                            .get_or_insert_with(|| Spanned::new(IdMap::default(), cx.span(value)));
                        if let Some(entry) = entry {
                            self.credit_systems
                                .insert(entry.id.value.clone(), systems.value.entries.len());
                            systems.value.entries.push(entry);
                        }
                    }
                }
                "plans" => {
                    for (id, plan) in table(value)? {
                        if let Some(&position) = self.plans.get(id.get_ref().as_ref()) {
                            self.read_more_items(position, plan, cx)?;
                            continue;
                        }
                        let entry = read_entry::<PlanDocument>(id, plan, cx);
                        let plans = self
                            .document
                            .plans
                            .get_or_insert_with(|| Spanned::new(IdMap::default(), cx.span(value)));
                        if let Some(entry) = entry {
                            self.plans
                                .insert(entry.id.value.clone(), plans.value.entries.len());
                            plans.value.entries.push(entry);
                        }
                    }
                }
                _ => return None,
            }
        }
        Some(())
    }

    /// More items of the plan at `position`, whose table in this piece holds only `items`.
    fn read_more_items(
        &mut self,
        position: usize,
        plan: &Value<'_>,
        cx: &mut ReadContext<'_>,
    ) -> Option<()> {
        let plan_table = table(plan)?;
        if plan_table.len() != 1 {
            return None;
        }
        let items_value = plan_table.get("items")?;
        let items = IdMap::<ItemDocument>::read(items_value, cx, "items").ok()?;
        let plan = object_at(&mut self.document.plans, position)?;
        join(&mut plan.items, items, cx.span(items_value));
        Some(())
    }

    /// Lines of a table's body cut off from its header: more objects of the table, which the
    /// piece holding the header began.
    fn read_body(
        &mut self,
        body: Body<'_>,
        root: &Value<'_>,
        cx: &mut ReadContext<'_>,
    ) -> Option<()> {
        match body {
            Body::Features => {
                let features = IdMap::<FeatureDocument>::read(root, cx, "features").ok()?;
                extend(
                    &mut self.document.features.as_mut()?.value.entries,
                    features.entries,
                );
            }
            Body::Costs(system) => {
                let costs = IdMap::<CostDocument>::read(root, cx, "costs").ok()?;
                let position = *self.credit_systems.get(system)?;
                let system = object_at(&mut self.document.credit_systems, position)?;
                extend(&mut system.costs.as_mut()?.value.entries, costs.entries);
            }
            Body::Items(plan) => {
                let items = IdMap::<ItemDocument>::read(root, cx, "items").ok()?;
                let position = *self.plans.get(plan)?;
                let plan = object_at(&mut self.document.plans, position)?;
                extend(&mut plan.items.as_mut()?.value.entries, items.entries);
            }
        }
        Some(())
    }

    /// Every map sorted by id, as TOML's sorted tables give them to a whole read.
    fn sort(&mut self) {
        let document = &mut self.document;
        if let Some(features) = &mut document.features {
            sort(&mut features.value);
        }
        if let Some(systems) = &mut document.credit_systems {
            sort(&mut systems.value);
            for system in &mut systems.value.entries {
                if let Some(costs) = &mut system.value.costs {
                    sort(&mut costs.value);
                }
            }
        }
        if let Some(plans) = &mut document.plans {
            sort(&mut plans.value);
            for plan in &mut plans.value.entries {
                if let Some(items) = &mut plan.value.items {
                    sort(&mut items.value);
                }
            }
        }
    }
}

/// Where each id is in a map.
fn positions<T>(map: Option<&Spanned<IdMap<T>>>) -> HashMap<String, usize> {
    map.iter()
        .flat_map(|map| map.value.entries.iter().enumerate())
        .map(|(position, entry)| (entry.id.value.clone(), position))
        .collect()
}

/// The object at `position` of a map read in an earlier piece.
fn object_at<T>(map: &mut Option<Spanned<IdMap<T>>>, position: usize) -> Option<&mut T> {
    Some(&mut map.as_mut()?.value.entries.get_mut(position)?.value)
}

/// The table `value` is, when it is one.
fn table<'v, 'i>(value: &'v Value<'i>) -> Option<&'v DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(table) => Some(table),
        _ => None,
    }
}

/// Adds `more` to a map that may not exist yet; a new map takes the span of the table that
/// first held it, as TOML gives an implicit table the place that first made it.
fn join<T>(map: &mut Option<Spanned<IdMap<T>>>, more: IdMap<T>, span: Span) {
    match map {
        Some(map) => extend(&mut map.value.entries, more.entries),
        None => *map = Some(Spanned::new(more, span)),
    }
}

/// Appends a piece's entries growing the vector by exactly their number: doubling would leave
/// up to half of a map of 200,000 entries unused. Reallocating a large vector moves no bytes
/// (on Linux, glibc remaps its pages rather than copying them).
fn extend<T>(entries: &mut Vec<T>, more: Vec<T>) {
    entries.reserve_exact(more.len());
    entries.extend(more);
}

fn sort<T>(map: &mut IdMap<T>) {
    map.entries
        .sort_by(|left: &Entry<T>, right: &Entry<T>| left.id.value.cmp(&right.id.value));
    map.entries.shrink_to_fit();
}
