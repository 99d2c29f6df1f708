use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::diagnostics::Span;

/// A value with the place in the source it was read from.
///
/// Transparent to the JSON Schema: `Spanned<T>` is described exactly as `T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }

    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned {
            value: &self.value,
            span: self.span.clone(),
        }
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// One object of a map keyed by id (`[features.<id>]`): the id with its span, and the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<T> {
    pub id: Spanned<String>,
    /// The span of the object's table: its header line, or its inline table.
    pub span: Span,
    pub value: T,
}

/// A map from id to object, in the order of the source (TOML keeps keys sorted, so this is
/// sorted by id within one table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMap<T> {
    pub entries: Vec<Entry<T>>,
}

impl<T> Default for IdMap<T> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<T> IdMap<T> {
    pub fn iter(&self) -> impl Iterator<Item = &Entry<T>> {
        self.entries.iter()
    }

    pub fn get(&self, id: &str) -> Option<&Entry<T>> {
        self.entries.iter().find(|entry| entry.id.value == id)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

impl<T: JsonSchema> JsonSchema for IdMap<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("IdMap_of_{}", T::schema_name()).into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "propertyNames": { "pattern": crate::dsl::ID_PATTERN },
            "additionalProperties": generator.subschema_for::<T>(),
        })
    }
}
