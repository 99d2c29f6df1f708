//! Recorded usage, read as a stream: JSON Lines or CSV of `customer, feature, value,
//! timestamp` records, and for each customer the plan it subscribed to (with the prepaid
//! quantities it bought). See docs/impact.md for the format and schemas/usage.v1.schema.json.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::dsl::DecimalLiteral;
use crate::input::{LimitedReadError, USAGE_LINE_BYTES, read_line_limited};
use crate::ledger::{Instant, TopUpSwitch};

/// One record of a usage file: what a customer did that its charges follow from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageRecord {
    /// The customer subscribes to (or buys, or buys again) `plan` at `at`, with prepaid
    /// quantities per item. `version` is the plan's version it is on in the live system
    /// (`None`: the current one).
    Subscribe {
        customer: String,
        plan: String,
        version: Option<u32>,
        prepaid: BTreeMap<String, Decimal>,
        at: Instant,
    },
    /// The customer changes the prepaid quantities it holds of `plan`, mid-term.
    SetQuantity {
        customer: String,
        plan: String,
        quantities: BTreeMap<String, Decimal>,
        at: Instant,
    },
    /// The customer used `value` units of `feature` at `at`, for `entity` when it names one;
    /// `capped`: only what the balance held was deducted (Autumn's `overage_behavior: cap`).
    Use {
        customer: String,
        feature: String,
        value: Decimal,
        entity: Option<String>,
        capped: bool,
        at: Instant,
    },
    /// The customer was given `amount` units of a feature or credits of a credit system,
    /// expiring at `expires` (never when `None`).
    Grant {
        customer: String,
        feature: String,
        amount: Decimal,
        expires: Option<Instant>,
        at: Instant,
    },
    /// The customer creates an entity (a seat, a workspace): one unit of `feature` in use.
    CreateEntity {
        customer: String,
        entity: String,
        feature: String,
        at: Instant,
    },
    /// The customer deletes an entity.
    DeleteEntity {
        customer: String,
        entity: String,
        at: Instant,
    },
    /// The customer turns its plans' auto top-up of a balance on or off, or back to the plan's
    /// default (`set_auto_top_up`), per balance (a feature or credit system).
    AutoTopUp {
        customer: String,
        switches: BTreeMap<String, TopUpSwitch>,
        at: Instant,
    },
}

impl UsageRecord {
    pub fn customer(&self) -> &str {
        match self {
            UsageRecord::Subscribe { customer, .. }
            | UsageRecord::SetQuantity { customer, .. }
            | UsageRecord::Use { customer, .. }
            | UsageRecord::Grant { customer, .. }
            | UsageRecord::CreateEntity { customer, .. }
            | UsageRecord::DeleteEntity { customer, .. }
            | UsageRecord::AutoTopUp { customer, .. } => customer,
        }
    }

    pub fn at(&self) -> Instant {
        match self {
            UsageRecord::Subscribe { at, .. }
            | UsageRecord::SetQuantity { at, .. }
            | UsageRecord::Use { at, .. }
            | UsageRecord::Grant { at, .. }
            | UsageRecord::CreateEntity { at, .. }
            | UsageRecord::DeleteEntity { at, .. }
            | UsageRecord::AutoTopUp { at, .. } => *at,
        }
    }
}

/// A record that cannot be read, with its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct UsageError {
    pub path: String,
    /// 1-based; 0 for the file as a whole.
    pub line: usize,
    pub message: String,
}

/// The records of a usage file, one at a time: `.csv` is CSV, anything else JSON Lines.
/// Nothing is held but the line being read, of at most [`USAGE_LINE_BYTES`].
pub fn read_usage(path: &Path) -> Result<UsageReader, UsageError> {
    let file = std::fs::File::open(path).map_err(|error| UsageError {
        path: path.display().to_string(),
        line: 0,
        message: format!("cannot be read: {error}"),
    })?;
    let format = if path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"))
    {
        UsageFormat::Csv
    } else {
        UsageFormat::JsonLines
    };
    Ok(UsageReader::new(
        path.display().to_string(),
        std::io::BufReader::new(file),
        format,
    ))
}

/// How a usage file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageFormat {
    /// A JSON object per line.
    JsonLines,
    /// A header naming the columns, then a record per line.
    Csv,
}

/// The iterator [`read_usage`] returns; any other byte stream is read the same way with
/// [`UsageReader::new`] (the fuzz target reads bytes held in memory).
pub struct UsageReader<R = std::io::BufReader<std::fs::File>> {
    path: String,
    lines: R,
    line: usize,
    buffer: String,
    /// CSV: the header's columns (empty until read); `None` for JSON Lines.
    columns: Option<Vec<String>>,
}

impl<R: BufRead> UsageReader<R> {
    /// The records of `lines`, written in `format`; `path` names them in errors.
    pub fn new(path: String, lines: R, format: UsageFormat) -> UsageReader<R> {
        UsageReader {
            path,
            lines,
            line: 0,
            buffer: String::new(),
            columns: match format {
                UsageFormat::Csv => Some(Vec::new()),
                UsageFormat::JsonLines => None,
            },
        }
    }
}

impl<R: BufRead> Iterator for UsageReader<R> {
    type Item = Result<UsageRecord, UsageError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            self.line += 1;
            match read_line_limited(&mut self.lines, &mut self.buffer, USAGE_LINE_BYTES) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(LimitedReadError::TooLarge { limit }) => {
                    return Some(Err(self.error(format!(
                        "the line is longer than {limit}, the most pricectl reads as one record"
                    ))));
                }
                Err(LimitedReadError::Io(error)) => {
                    return Some(Err(self.error(format!("cannot be read: {error}"))));
                }
            }
            let text = self.buffer.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let record = match &mut self.columns {
                None => json_record(text),
                Some(columns) if columns.is_empty() => {
                    *columns = split_csv(text)
                        .into_iter()
                        .map(|c| c.trim().to_string())
                        .collect();
                    for required in ["customer", "timestamp"] {
                        if !columns.iter().any(|column| column == required) {
                            return Some(Err(self.error(format!(
                                "the CSV header has no `{required}` column (it needs customer, feature, value, timestamp, and plan, prepaid for subscriptions)"
                            ))));
                        }
                    }
                    continue;
                }
                Some(columns) => csv_record(columns, text),
            };
            return Some(record.map_err(|message| self.error(message)));
        }
    }
}

impl<R> UsageReader<R> {
    fn error(&self, message: String) -> UsageError {
        UsageError {
            path: self.path.clone(),
            line: self.line,
            message,
        }
    }
}

/// A JSON Lines record as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRecord {
    customer: String,
    timestamp: String,
    feature: Option<String>,
    value: Option<serde_json::Value>,
    plan: Option<String>,
    version: Option<u32>,
    #[serde(default)]
    prepaid: BTreeMap<String, serde_json::Value>,
    set_quantity: Option<BTreeMap<String, serde_json::Value>>,
    entity: Option<String>,
    capped: Option<bool>,
    grant: Option<serde_json::Value>,
    expires: Option<String>,
    deleted: Option<bool>,
    auto_top_up: Option<BTreeMap<String, String>>,
}

fn json_record(text: &str) -> Result<UsageRecord, String> {
    let record: JsonRecord =
        serde_json::from_str(text).map_err(|error| format!("not a usage record: {error}"))?;
    let quantities = |map: &BTreeMap<String, serde_json::Value>| {
        map.iter()
            .map(|(item, quantity)| Ok((item.clone(), json_decimal(quantity)?)))
            .collect::<Result<BTreeMap<_, _>, String>>()
    };
    record_of(Fields {
        customer: record.customer,
        timestamp: record.timestamp,
        feature: record.feature,
        value: record.value.as_ref().map(json_decimal).transpose()?,
        plan: record.plan,
        version: record.version,
        prepaid: quantities(&record.prepaid)?,
        set_quantity: record.set_quantity.as_ref().map(quantities).transpose()?,
        entity: record.entity,
        capped: record.capped.unwrap_or(false),
        grant: record.grant.as_ref().map(json_decimal).transpose()?,
        expires: record.expires,
        deleted: record.deleted.unwrap_or(false),
        auto_top_up: record
            .auto_top_up
            .as_ref()
            .map(|switches| {
                switches
                    .iter()
                    .map(|(balance, switch)| Ok((balance.clone(), top_up_switch(switch)?)))
                    .collect::<Result<BTreeMap<_, _>, String>>()
            })
            .transpose()?,
    })
}

/// `on`, `off` or `plan`, as `pricectl customer set --auto-top-up` takes them.
fn top_up_switch(text: &str) -> Result<TopUpSwitch, String> {
    match text.trim() {
        "on" => Ok(TopUpSwitch::On),
        "off" => Ok(TopUpSwitch::Off),
        "plan" => Ok(TopUpSwitch::Plan),
        other => Err(format!(
            "auto_top_up `{other}` is not `on`, `off` or `plan`"
        )),
    }
}

/// A decimal written as a JSON number (read from its text, never through a float) or string.
fn json_decimal(value: &serde_json::Value) -> Result<Decimal, String> {
    let text = match value {
        serde_json::Value::Number(number) => number.to_string(),
        serde_json::Value::String(text) => text.clone(),
        other => return Err(format!("`{other}` is not a number")),
    };
    decimal(&text)
}

fn decimal(text: &str) -> Result<Decimal, String> {
    text.trim()
        .parse::<DecimalLiteral>()
        .map(|literal| literal.0)
        .map_err(|problem| format!("`{text}`: {problem}"))
}

fn csv_record(columns: &[String], text: &str) -> Result<UsageRecord, String> {
    let fields = split_csv(text);
    let field = |name: &str| {
        columns
            .iter()
            .position(|column| column == name)
            .and_then(|index| fields.get(index))
            .map(|field| field.trim())
            .filter(|field| !field.is_empty())
    };
    // `prepaid` and `set_quantity` are `item=quantity` pairs separated by `;`:
    // `credits=1000;seats=5`.
    let quantities = |column: &str| -> Result<BTreeMap<String, Decimal>, String> {
        let mut quantities = BTreeMap::new();
        for pair in field(column)
            .unwrap_or("")
            .split(';')
            .filter(|pair| !pair.trim().is_empty())
        {
            let (item, quantity) = pair
                .split_once('=')
                .ok_or_else(|| format!("{column} `{pair}` is not `item=quantity`"))?;
            quantities.insert(item.trim().to_string(), decimal(quantity)?);
        }
        Ok(quantities)
    };
    let version = field("version")
        .map(|version| {
            version
                .parse::<u32>()
                .map_err(|_| format!("version `{version}` is not a plan version (1, 2, …)"))
        })
        .transpose()?;
    let flag = |column: &str| match field(column) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(format!("{column} `{other}` is not `true` or `false`")),
    };
    record_of(Fields {
        customer: field("customer").unwrap_or("").to_string(),
        timestamp: field("timestamp").unwrap_or("").to_string(),
        feature: field("feature").map(str::to_string),
        value: field("value").map(decimal).transpose()?,
        plan: field("plan").map(str::to_string),
        version,
        prepaid: quantities("prepaid")?,
        set_quantity: field("set_quantity")
            .is_some()
            .then(|| quantities("set_quantity"))
            .transpose()?,
        entity: field("entity").map(str::to_string),
        capped: flag("capped")?,
        grant: field("grant").map(decimal).transpose()?,
        expires: field("expires").map(str::to_string),
        deleted: flag("deleted")?,
        auto_top_up: field("auto_top_up")
            .map(|column| {
                column
                    .split(';')
                    .filter(|pair| !pair.trim().is_empty())
                    .map(|pair| {
                        let (balance, switch) = pair.split_once('=').ok_or_else(|| {
                            format!("auto_top_up `{pair}` is not `balance=on|off|plan`")
                        })?;
                        Ok((balance.trim().to_string(), top_up_switch(switch)?))
                    })
                    .collect::<Result<BTreeMap<_, _>, String>>()
            })
            .transpose()?,
    })
}

/// A record's fields as written, in either format.
struct Fields {
    customer: String,
    timestamp: String,
    feature: Option<String>,
    value: Option<Decimal>,
    plan: Option<String>,
    version: Option<u32>,
    prepaid: BTreeMap<String, Decimal>,
    set_quantity: Option<BTreeMap<String, Decimal>>,
    entity: Option<String>,
    capped: bool,
    grant: Option<Decimal>,
    expires: Option<String>,
    deleted: bool,
    auto_top_up: Option<BTreeMap<String, TopUpSwitch>>,
}

/// What a record is, from the fields it has (docs/impact.md, "The usage file").
const RECORD_KINDS: &str = "a record is usage (`feature`, `value`, and `entity`, `capped`), a subscription (`plan`, and `version`, `prepaid` quantities), a quantity change (`plan`, `set_quantity`), a grant (`feature`, `grant`, and `expires`), an entity created (`entity`, `feature`) or deleted (`entity`, `deleted`), an auto top-up switched (`auto_top_up` alone)";

fn record_of(fields: Fields) -> Result<UsageRecord, String> {
    let Fields {
        customer,
        timestamp,
        feature,
        value,
        plan,
        version,
        prepaid,
        set_quantity,
        entity,
        capped,
        grant,
        expires,
        deleted,
        auto_top_up,
    } = fields;
    if customer.is_empty() {
        return Err("the record names no customer".into());
    }
    let at = Instant::parse(timestamp.trim()).map_err(|error| error.to_string())?;
    let expires = expires
        .map(|expires| Instant::parse(expires.trim()).map_err(|error| error.to_string()))
        .transpose()?;
    if let Some(switches) = auto_top_up {
        let alone = plan.is_none()
            && feature.is_none()
            && value.is_none()
            && entity.is_none()
            && set_quantity.is_none()
            && grant.is_none()
            && version.is_none()
            && prepaid.is_empty()
            && expires.is_none()
            && !capped
            && !deleted;
        if !alone || switches.is_empty() {
            return Err(RECORD_KINDS.into());
        }
        return Ok(UsageRecord::AutoTopUp {
            customer,
            switches,
            at,
        });
    }
    // Fields only one kind of record has.
    let subscription_only = version.is_some() || !prepaid.is_empty();
    let usage_only = capped;
    let grant_only = expires.is_some();
    match (plan, feature, value, entity, set_quantity, grant) {
        (Some(plan), None, None, None, None, None) if !usage_only && !grant_only && !deleted => {
            Ok(UsageRecord::Subscribe {
                customer,
                plan,
                version,
                prepaid,
                at,
            })
        }
        (Some(plan), None, None, None, Some(quantities), None)
            if !subscription_only && !usage_only && !grant_only && !deleted =>
        {
            Ok(UsageRecord::SetQuantity {
                customer,
                plan,
                quantities,
                at,
            })
        }
        (None, Some(feature), Some(value), entity, None, None)
            if !subscription_only && !grant_only && !deleted =>
        {
            Ok(UsageRecord::Use {
                customer,
                feature,
                value,
                entity,
                capped,
                at,
            })
        }
        (None, Some(feature), None, None, None, Some(amount))
            if !subscription_only && !usage_only && !deleted =>
        {
            Ok(UsageRecord::Grant {
                customer,
                feature,
                amount,
                expires,
                at,
            })
        }
        (None, Some(feature), None, Some(entity), None, None)
            if !subscription_only && !usage_only && !grant_only && !deleted =>
        {
            Ok(UsageRecord::CreateEntity {
                customer,
                entity,
                feature,
                at,
            })
        }
        (None, None, None, Some(entity), None, None)
            if deleted && !subscription_only && !usage_only && !grant_only =>
        {
            Ok(UsageRecord::DeleteEntity {
                customer,
                entity,
                at,
            })
        }
        _ => Err(RECORD_KINDS.into()),
    }
}

/// One CSV line's fields: commas separate, double quotes enclose a field with commas (`""` is
/// a quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut characters = line.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' if quoted && characters.peek() == Some(&'"') => {
                characters.next();
                if let Some(field) = fields.last_mut() {
                    field.push('"');
                }
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => {
                if let Some(field) = fields.last_mut() {
                    field.push(character);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> Vec<Result<UsageRecord, UsageError>> {
        let directory = std::env::temp_dir().join(format!("pricectl-usage-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let path = directory.join(name);
        std::fs::write(&path, text).unwrap();
        let records = read_usage(&path).unwrap().collect();
        std::fs::remove_file(&path).unwrap();
        records
    }

    #[test]
    fn json_lines_and_csv_read_alike() {
        let json = read(
            "usage.jsonl",
            "{\"customer\": \"acme\", \"plan\": \"pro\", \"version\": 2, \"prepaid\": {\"seats\": 5}, \"timestamp\": \"2026-01-01\"}\n\n{\"customer\": \"acme\", \"feature\": \"messages\", \"value\": 0.1, \"timestamp\": \"2026-01-02T10:00:00Z\"}\n",
        );
        let csv = read(
            "usage.csv",
            "customer,feature,value,timestamp,plan,version,prepaid\nacme,,,2026-01-01,pro,2,seats=5\n\"acme\",messages,0.1,2026-01-02T10:00:00Z,,,\n",
        );
        assert_eq!(json, csv);
        assert_eq!(
            json[1],
            Ok(UsageRecord::Use {
                customer: "acme".into(),
                feature: "messages".into(),
                value: Decimal::new(1, 1),
                entity: None,
                capped: false,
                at: Instant::parse("2026-01-02T10:00:00Z").unwrap(),
            })
        );
    }

    /// Every kind of record, in both formats, and as `sample::jsonl` writes it.
    #[test]
    fn every_kind_of_record_reads_alike_in_both_formats() {
        let json = read(
            "kinds.jsonl",
            r#"{"customer": "acme", "plan": "team", "set_quantity": {"seats": 8}, "timestamp": "2026-01-16"}
{"customer": "acme", "feature": "credits", "grant": "1_000", "expires": "2026-03-01", "timestamp": "2026-01-17"}
{"customer": "acme", "feature": "messages", "grant": 5, "timestamp": "2026-01-18"}
{"customer": "acme", "entity": "ada", "feature": "seats", "timestamp": "2026-01-19"}
{"customer": "acme", "feature": "messages", "value": 3, "entity": "ada", "capped": true, "timestamp": "2026-01-20"}
{"customer": "acme", "entity": "ada", "deleted": true, "timestamp": "2026-01-21"}
{"customer": "acme", "auto_top_up": {"credits": "off", "messages": "plan"}, "timestamp": "2026-01-22"}
"#,
        );
        let csv = read(
            "kinds.csv",
            "customer,plan,set_quantity,feature,value,grant,expires,entity,capped,deleted,auto_top_up,timestamp
acme,team,seats=8,,,,,,,,,2026-01-16
acme,,,credits,,1_000,2026-03-01,,,,,2026-01-17
acme,,,messages,,5,,,,,,2026-01-18
acme,,,seats,,,,ada,,,,2026-01-19
acme,,,messages,3,,,ada,true,,,2026-01-20
acme,,,,,,,ada,,true,,2026-01-21
acme,,,,,,,,,,credits=off;messages=plan,2026-01-22
",
        );
        assert_eq!(json, csv);
        let at = |text: &str| Instant::parse(text).unwrap();
        let expected = [
            UsageRecord::SetQuantity {
                customer: "acme".into(),
                plan: "team".into(),
                quantities: [("seats".to_string(), Decimal::from(8))].into(),
                at: at("2026-01-16"),
            },
            UsageRecord::Grant {
                customer: "acme".into(),
                feature: "credits".into(),
                amount: Decimal::from(1000),
                expires: Some(at("2026-03-01")),
                at: at("2026-01-17"),
            },
            UsageRecord::Grant {
                customer: "acme".into(),
                feature: "messages".into(),
                amount: Decimal::from(5),
                expires: None,
                at: at("2026-01-18"),
            },
            UsageRecord::CreateEntity {
                customer: "acme".into(),
                entity: "ada".into(),
                feature: "seats".into(),
                at: at("2026-01-19"),
            },
            UsageRecord::Use {
                customer: "acme".into(),
                feature: "messages".into(),
                value: Decimal::from(3),
                entity: Some("ada".into()),
                capped: true,
                at: at("2026-01-20"),
            },
            UsageRecord::DeleteEntity {
                customer: "acme".into(),
                entity: "ada".into(),
                at: at("2026-01-21"),
            },
            UsageRecord::AutoTopUp {
                customer: "acme".into(),
                switches: [
                    ("credits".to_string(), TopUpSwitch::Off),
                    ("messages".to_string(), TopUpSwitch::Plan),
                ]
                .into(),
                at: at("2026-01-22"),
            },
        ];
        assert_eq!(json, expected.iter().cloned().map(Ok).collect::<Vec<_>>());
        let written: String = expected
            .iter()
            .map(|record| super::super::sample::jsonl(record) + "\n")
            .collect();
        assert_eq!(read("written.jsonl", &written), json);
    }

    /// A record mixing two kinds is refused, whichever field gives it away.
    #[test]
    fn a_record_of_two_kinds_is_refused() {
        for line in [
            r#"{"customer": "acme", "feature": "messages", "value": 3, "grant": 5, "timestamp": "2026-01-01"}"#,
            r#"{"customer": "acme", "plan": "team", "set_quantity": {"seats": 8}, "prepaid": {"seats": 1}, "timestamp": "2026-01-01"}"#,
            r#"{"customer": "acme", "plan": "team", "capped": true, "timestamp": "2026-01-01"}"#,
            r#"{"customer": "acme", "feature": "credits", "grant": 5, "entity": "ada", "timestamp": "2026-01-01"}"#,
            r#"{"customer": "acme", "entity": "ada", "timestamp": "2026-01-01"}"#,
            r#"{"customer": "acme", "feature": "messages", "value": 3, "expires": "2026-02-01", "timestamp": "2026-01-01"}"#,
            r#"{"customer": "acme", "entity": "ada", "feature": "seats", "deleted": true, "timestamp": "2026-01-01"}"#,
            r#"{"customer": "acme", "feature": "credits", "auto_top_up": {"credits": "off"}, "timestamp": "2026-01-01"}"#,
            r#"{"customer": "acme", "auto_top_up": {}, "timestamp": "2026-01-01"}"#,
        ] {
            let records = read("mixed.jsonl", &format!("{line}\n"));
            assert!(
                records[0]
                    .as_ref()
                    .is_err_and(|error| error.message == RECORD_KINDS),
                "{line}: {records:?}"
            );
        }
    }

    #[test]
    fn an_auto_top_up_switch_is_on_off_or_plan() {
        let records = read(
            "switch.jsonl",
            "{\"customer\": \"acme\", \"auto_top_up\": {\"credits\": \"yes\"}, \"timestamp\": \"2026-01-02\"}\n",
        );
        assert_eq!(
            records[0].as_ref().unwrap_err().message,
            "auto_top_up `yes` is not `on`, `off` or `plan`"
        );
    }

    #[test]
    fn a_bad_record_names_its_line() {
        let records = read(
            "bad.jsonl",
            "{\"customer\": \"acme\", \"feature\": \"messages\", \"timestamp\": \"2026-01-02\"}\n",
        );
        assert_eq!(
            records[0].as_ref().unwrap_err().to_string(),
            format!(
                "{}:1: {RECORD_KINDS}",
                std::env::temp_dir()
                    .join(format!("pricectl-usage-{}", std::process::id()))
                    .join("bad.jsonl")
                    .display()
            )
        );
    }
}
