//! Reading spanned TOML values into document types, reporting every problem on the way.
//!
//! The protocol: a type implements [`Read`]; a table type opens a [`TableReader`], asks it
//! for each key it knows (`optional` / `required`), and calls `finish`, which reports every key
//! it was not asked for as unknown, with the closest known key as a suggestion. A problem
//! in one value never stops the reading of its siblings, so one run reports all of them.

use schemars::JsonSchema;
use toml::de::{DeTable, DeValue};

use super::decimal_literal::{DecimalLiteral, DecimalProblem, describe};
use super::spanned::{Entry, IdMap, Spanned};
use crate::catalog::Choice;
use crate::diagnostics::{Code, Diagnostic, FileId, Span, did_you_mean};

/// A TOML value with its byte range, as the `toml` crate parses it.
pub(crate) type Value<'i> = toml::Spanned<DeValue<'i>>;

/// Where read problems go, and which file the spans are in.
pub(crate) struct ReadContext<'d> {
    pub file: FileId,
    pub diagnostics: &'d mut Vec<Diagnostic>,
    /// When set, every table reader records the keys it knows (used by the test that holds
    /// the reader and the JSON Schema to the same keys).
    pub known_keys: Option<Vec<KnownKeys>>,
    /// Keys that were present but could not be read, by the span of their table: later rules
    /// treat them as reported, not as missing.
    pub invalid_keys: Vec<(Span, &'static str)>,
    /// Where the text the values were parsed from starts in the file: 0 for a whole file, the
    /// piece's start for a file read in pieces (`dsl::pieces`), whose spans the parser counts
    /// from the piece.
    pub offset: usize,
}

/// The keys one document type's reader asked for, and which of them it requires.
#[derive(Debug, Clone)]
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "read by the schema agreement test")
)]
pub(crate) struct KnownKeys {
    pub schema_name: String,
    pub keys: Vec<(&'static str, bool)>,
}

impl ReadContext<'_> {
    pub fn span(&self, value: &Value<'_>) -> Span {
        self.span_of(value.span())
    }

    /// The span in the file of a range the parser gave.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(
            self.file,
            range.start + self.offset..range.end + self.offset,
        )
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// Why a value could not be read.
pub(crate) enum ReadError {
    /// The value itself is wrong; the caller reports it at the value's span.
    Invalid {
        code: Code,
        message: String,
        label: String,
        help: Option<String>,
    },
    /// The problems were already reported (inside a table).
    Reported,
}

impl ReadError {
    pub(crate) fn invalid(message: String, label: impl Into<String>, help: Option<String>) -> Self {
        ReadError::Invalid {
            code: Code::InvalidValue,
            message,
            label: label.into(),
            help,
        }
    }

    fn wrong_type(key: &str, expected: &str, value: &Value<'_>) -> Self {
        ReadError::invalid(
            format!(
                "`{key}` must be {expected}, found {}",
                describe(value.get_ref())
            ),
            format!("expected {expected}"),
            None,
        )
    }
}

/// A document type that can be read from a TOML value.
pub(crate) trait Read: Sized {
    /// Reads `value`, the value of `key` (used in messages).
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError>;
}

impl Read for String {
    fn read(value: &Value<'_>, _: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        match value.get_ref() {
            DeValue::String(text) => Ok(text.to_string()),
            _ => Err(ReadError::wrong_type(key, "a string", value)),
        }
    }
}

impl Read for bool {
    fn read(value: &Value<'_>, _: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        match value.get_ref() {
            DeValue::Boolean(flag) => Ok(*flag),
            _ => Err(ReadError::wrong_type(key, "`true` or `false`", value)),
        }
    }
}

impl Read for u32 {
    fn read(value: &Value<'_>, _: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let expected = "a whole number";
        match value.get_ref() {
            DeValue::Integer(integer) if integer.radix() == 10 => {
                integer.as_str().parse::<u32>().map_err(|_| {
                    ReadError::invalid(
                        format!("`{key}` must be a whole number from 0 to {}", u32::MAX),
                        "out of range",
                        None,
                    )
                })
            }
            _ => Err(ReadError::wrong_type(key, expected, value)),
        }
    }
}

impl Read for DecimalLiteral {
    fn read(value: &Value<'_>, _: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        DecimalLiteral::from_value(value.get_ref()).map_err(|problem| match problem {
            DecimalProblem::Malformed(reason) => ReadError::invalid(
                format!("`{key}` must be a decimal number: {reason}"),
                "not a decimal number",
                Some("write a number such as `0.0015` or `1_000_000`, or the same quoted".into()),
            ),
            DecimalProblem::Inexact(reason) => ReadError::Invalid {
                code: Code::InvalidAmount,
                message: format!("`{key}` cannot be held exactly"),
                label: reason,
                help: Some("use fewer digits: amounts are exact decimals with at most 28 digits after the point".into()),
            },
        })
    }
}

/// Reads a word from a closed set, suggesting the closest spelling on a typo.
pub(crate) fn read_choice<T: Choice>(value: &Value<'_>, key: &str) -> Result<T, ReadError> {
    let DeValue::String(text) = value.get_ref() else {
        return Err(ReadError::wrong_type(
            key,
            &format!("one of {}", choices_list::<T>()),
            value,
        ));
    };
    if let Some((_, choice)) = T::CHOICES.iter().find(|(name, _)| *name == text.as_ref()) {
        return Ok(*choice);
    }
    // Messages are built only for the values that need one: reading is the hot path.
    let expected = choices_list::<T>();
    let suggestion = did_you_mean(text, T::CHOICES.iter().map(|(name, _)| *name));
    Err(ReadError::invalid(
        format!("`{key}` must be one of {expected}, found `{text}`"),
        "not one of the accepted values",
        suggestion.map(|name| format!("did you mean `\"{name}\"`?")),
    ))
}

/// "`a`, `b` or `c`".
pub(crate) fn choices_list<T: Choice>() -> String {
    let names: Vec<String> = T::CHOICES
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

impl<T: Read> Read for Vec<Spanned<T>> {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let DeValue::Array(array) = value.get_ref() else {
            return Err(ReadError::wrong_type(key, "an array", value));
        };
        let mut items = Vec::with_capacity(array.len());
        let mut failed = false;
        for (index, element) in array.iter().enumerate() {
            let element_key = format!("{key}[{index}]");
            match T::read(element, cx, &element_key) {
                Ok(item) => items.push(Spanned::new(item, cx.span(element))),
                Err(error) => {
                    report(cx, element, error);
                    failed = true;
                }
            }
        }
        // A partly read list would make later rules judge the wrong list (tier order, say).
        if failed {
            Err(ReadError::Reported)
        } else {
            Ok(items)
        }
    }
}

impl<T: Read> Read for IdMap<T> {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let DeValue::Table(table) = value.get_ref() else {
            return Err(ReadError::wrong_type(key, "a table", value));
        };
        let mut entries = Vec::with_capacity(table.len());
        for (id, element) in table {
            entries.extend(read_entry(id, element, cx));
        }
        Ok(IdMap { entries })
    }
}

/// Reads one object of a map keyed by id; `None` when it could not be read (reported).
pub(crate) fn read_entry<T: Read>(
    id: &toml::Spanned<toml::de::DeString<'_>>,
    element: &Value<'_>,
    cx: &mut ReadContext<'_>,
) -> Option<Entry<T>> {
    let id_span = cx.span_of(id.span());
    match T::read(element, cx, id.get_ref()) {
        Ok(object) => Some(Entry {
            id: Spanned::new(id.get_ref().to_string(), id_span),
            span: cx.span(element),
            value: object,
        }),
        Err(error) => {
            report(cx, element, error);
            None
        }
    }
}

/// Turns a read error into a diagnostic at the value's span.
fn report(cx: &mut ReadContext<'_>, value: &Value<'_>, error: ReadError) {
    if let ReadError::Invalid {
        code,
        message,
        label,
        help,
    } = error
    {
        let diagnostic =
            Diagnostic::new(code, message, cx.span(value), label).with_optional_help(help);
        cx.report(diagnostic);
    }
}

/// Reads the keys of one table, then reports the keys nobody asked for.
pub(crate) struct TableReader<'t, 'i> {
    table: &'t DeTable<'i>,
    /// The table's header line or inline table, where a missing key is reported.
    span: Span,
    /// What the table is, for messages: "feature", "plan item".
    noun: &'static str,
    schema_name: std::borrow::Cow<'static, str>,
    asked: Vec<(&'static str, bool)>,
}

impl<'t, 'i> TableReader<'t, 'i> {
    /// Opens `value` as a table of the document type `T` (whose schema describes its keys).
    pub fn open<T: JsonSchema>(
        value: &'t Value<'i>,
        key: &str,
        noun: &'static str,
        cx: &ReadContext<'_>,
    ) -> Result<Self, ReadError> {
        let DeValue::Table(table) = value.get_ref() else {
            return Err(ReadError::wrong_type(
                key,
                &format!("a table (a {noun})"),
                value,
            ));
        };
        Ok(Self {
            table,
            span: cx.span(value),
            noun,
            schema_name: T::schema_name(),
            asked: Vec::new(),
        })
    }

    /// Reads `key` when present.
    pub fn optional<T: Read>(
        &mut self,
        cx: &mut ReadContext<'_>,
        key: &'static str,
    ) -> Option<Spanned<T>> {
        self.asked.push((key, false));
        self.read(cx, key)
    }

    /// Reads `key`, reporting its absence at the table.
    pub fn required<T: Read>(
        &mut self,
        cx: &mut ReadContext<'_>,
        key: &'static str,
        help: &str,
    ) -> Option<Spanned<T>> {
        self.asked.push((key, true));
        if !self.table.contains_key(key) {
            let noun = self.noun;
            cx.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("missing required key `{key}` in {noun}"),
                    self.span.clone(),
                    format!("this {noun} has no `{key}`"),
                )
                .with_help(help.to_string()),
            );
            return None;
        }
        self.read(cx, key)
    }

    /// Whether the table has any of `keys`, readable or not (a key that could not be read was
    /// reported already, so its absence must not be reported too).
    pub fn has_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|key| self.table.contains_key(*key))
    }

    /// Reads a closed-set word when present.
    pub fn optional_choice<T: Choice>(
        &mut self,
        cx: &mut ReadContext<'_>,
        key: &'static str,
    ) -> Option<Spanned<T>> {
        self.asked.push((key, false));
        self.read_with(cx, key, |value, _| read_choice::<T>(value, key))
    }

    /// Reads a required closed-set word.
    pub fn required_choice<T: Choice>(
        &mut self,
        cx: &mut ReadContext<'_>,
        key: &'static str,
    ) -> Option<Spanned<T>> {
        self.asked.push((key, true));
        if !self.table.contains_key(key) {
            let help = format!("add `{key} = …` with one of {}", choices_list::<T>());
            let noun = self.noun;
            cx.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("missing required key `{key}` in {noun}"),
                    self.span.clone(),
                    format!("this {noun} has no `{key}`"),
                )
                .with_help(help),
            );
            return None;
        }
        self.read_with(cx, key, |value, _| read_choice::<T>(value, key))
    }

    fn read<T: Read>(&mut self, cx: &mut ReadContext<'_>, key: &'static str) -> Option<Spanned<T>> {
        self.read_with(cx, key, |value, cx| T::read(value, cx, key))
    }

    fn read_with<T>(
        &mut self,
        cx: &mut ReadContext<'_>,
        key: &'static str,
        read: impl FnOnce(&Value<'i>, &mut ReadContext<'_>) -> Result<T, ReadError>,
    ) -> Option<Spanned<T>> {
        let value = self.table.get(key)?;
        match read(value, cx) {
            Ok(read_value) => Some(Spanned::new(read_value, cx.span(value))),
            Err(error) => {
                report(cx, value, error);
                cx.invalid_keys.push((self.span.clone(), key));
                None
            }
        }
    }

    /// Reports every key that was not asked for.
    pub fn finish(self, cx: &mut ReadContext<'_>) {
        let known: Vec<&'static str> = self.asked.iter().map(|(key, _)| *key).collect();
        for (key, _) in self.table {
            let name = key.get_ref().as_ref();
            if known.contains(&name) {
                continue;
            }
            let article = if self.noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            let help = match did_you_mean(name, known.iter().copied()) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None if known.is_empty() => format!("{article} {} takes no keys", self.noun),
                None => format!(
                    "{article} {} takes {}",
                    self.noun,
                    known
                        .iter()
                        .map(|key| format!("`{key}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            cx.report(
                Diagnostic::new(
                    Code::UnknownKey,
                    format!("unknown key `{name}` in {}", self.noun),
                    cx.span_of(key.span()),
                    "unknown key",
                )
                .with_help(help),
            );
        }
        if let Some(log) = cx.known_keys.as_mut() {
            log.push(KnownKeys {
                schema_name: self.schema_name.into_owned(),
                keys: self.asked,
            });
        }
    }
}
