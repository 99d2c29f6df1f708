//! The scenario file format (`*.scenario.toml`, or any `*.toml` in a `scenarios/` folder).
//!
//! ```toml
//! name = "buy credits, use o1"
//! start = 2026-01-01T00:00:00Z
//!
//! [[steps]]
//! do = "attach"
//! customer = "acme"
//! plan = "credit-top-up"
//! quantities = { credits = 500 }
//! expect = { charge = 5.00, balance = 500 }
//! ```
//!
//! Numbers are read exactly from the source text, as in pricing files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use toml::de::{DeTable, DeValue};

use crate::dsl::DecimalLiteral;
use crate::input::{SCENARIO_BYTES, read_limited};
use crate::ledger::{
    AttachRequest, CheckRequest, CreateEntityRequest, GrantRequest, Instant, Operation, Overage,
    SetAutoTopUpRequest, SetQuantityRequest, TopUpSwitch, TrackRequest,
};
use crate::render::Location;

/// One scenario: a name, a clock start, and steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub path: PathBuf,
    pub name: String,
    pub start: Instant,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1-based line of the step in its file, for failure reports.
    pub line: usize,
    pub action: StepAction,
    pub expect: Expectation,
}

/// What a step does: a ledger operation (the same data the CLI and the server map their
/// requests to), or a move of the scenario's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepAction {
    /// `customer`, `entity`, `delete-entity`, `attach`, `track`, `check` or `grant`. The
    /// customer of any step but a `customer` step is created on first use.
    Operation(Operation),
    /// Moves the clock; what it bills (renewals, a trial's end, usage beyond the balance) is
    /// the step's charge, for `customer` or, without one, for every customer so far.
    Advance {
        to: AdvanceTo,
        customer: Option<String>,
    },
}

impl StepAction {
    /// The customer the step acts on, if it names one.
    pub fn customer(&self) -> Option<&str> {
        match self {
            StepAction::Operation(operation) => operation.customer_id(),
            StepAction::Advance { customer, .. } => customer.as_deref(),
        }
    }
}

/// How far `advance` moves the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdvanceTo {
    By { days: i64, hours: i64, minutes: i64 },
    Until(Instant),
}

/// What a step should produce. Only what is given is compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectation {
    pub allowed: Option<bool>,
    pub balance: Option<ExpectedBalance>,
    pub charge: Option<Decimal>,
    /// Line items as `(description, amount)`; a description of `None` matches any.
    pub line_items: Option<Vec<(Option<String>, Decimal)>>,
    /// The step must fail, with a message containing this text.
    pub error: Option<String>,
    /// The alerts the step records for its customer, each as `KIND THRESHOLD`
    /// (`remaining 500`, `usage_percent 80`), in order; `[]`: none.
    pub alerts: Option<Vec<String>>,
}

/// An expected balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedBalance {
    /// `balance = 500`: the balance the step's result reports (for `attach`, the first item
    /// bought, else the plan's first metered item).
    Reported(Decimal),
    /// `balance = { credits = 500, seats = 2 }`: each named feature's or credit system's
    /// balance after the step.
    Named(BTreeMap<String, Decimal>),
}

/// A scenario file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}:{}: {message}", path.display(), location.line, location.column)]
pub struct ScenarioError {
    pub path: PathBuf,
    pub location: Location,
    pub message: String,
}

/// The scenario files of a pricing: `*.scenario.toml` beside it, and `*.toml` in a
/// `scenarios/` folder beside it; sorted.
pub fn find_scenarios(pricing: &Path) -> Vec<PathBuf> {
    let directory = if pricing.is_dir() {
        pricing.to_path_buf()
    } else {
        pricing.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let listing = |folder: &Path, keep: &dyn Fn(&Path) -> bool| -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        }) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_file() && keep(path))
            .map(|path| {
                if folder.as_os_str().is_empty() {
                    PathBuf::from(path.file_name().unwrap_or_default())
                } else {
                    path
                }
            })
            .collect()
    };
    let mut found = listing(&directory, &|path| {
        path.to_string_lossy().ends_with(".scenario.toml")
    });
    found.extend(listing(&directory.join("scenarios"), &|path| {
        path.extension()
            .is_some_and(|extension| extension == "toml")
    }));
    found.sort();
    found.dedup();
    found
}

/// Reads one scenario file, of at most [`SCENARIO_BYTES`] of UTF-8.
pub fn read_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let unreadable = |message: String| ScenarioError {
        path: path.to_path_buf(),
        location: Location { line: 1, column: 1 },
        message,
    };
    let bytes = read_limited(path, SCENARIO_BYTES)
        .map_err(|error| unreadable(format!("cannot be read: {error}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| unreadable("cannot be read: it is not UTF-8 text".into()))?;
    parse_scenario(path, &text)
}

/// Parses scenario text (`path` is for messages).
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let at = |offset: usize, message: String| ScenarioError {
        path: path.to_path_buf(),
        location: Location::of(text, offset),
        message,
    };
    let root = DeTable::parse(text).map_err(|error| {
        at(
            error.span().map_or(0, |span| span.start),
            format!("invalid TOML: {}", error.message().trim()),
        )
    })?;
    let root = DeValue::Table(root.into_inner());
    let table = Fields::new(&root, 0, "the scenario", &at)?;
    let name = table
        .string("name")?
        .unwrap_or_else(|| path.display().to_string());
    let start = match table.value("start") {
        Some(value) => instant(value, "start", &at)?,
        None => Instant::parse("2026-01-01T00:00:00Z").expect("a valid default"),
    };
    let mut steps = Vec::new();
    if let Some(value) = table.value("steps") {
        let DeValue::Array(array) = value.get_ref() else {
            return Err(at(
                value.span().start,
                "`steps` must be an array of tables: `[[steps]]`".into(),
            ));
        };
        for element in array {
            steps.push(step(element, text, &at)?);
        }
    }
    table.finish(&["name", "start", "steps"])?;
    if steps.is_empty() {
        return Err(at(0, "a scenario needs at least one `[[steps]]`".into()));
    }
    Ok(Scenario {
        path: path.to_path_buf(),
        name,
        start,
        steps,
    })
}

type At<'a> = dyn Fn(usize, String) -> ScenarioError + 'a;

fn step(
    value: &toml::Spanned<DeValue<'_>>,
    text: &str,
    at: &At<'_>,
) -> Result<Step, ScenarioError> {
    let offset = value.span().start;
    let fields = Fields::new(value.get_ref(), offset, "a step", at)?;
    let action_name = fields.string("do")?.ok_or_else(|| {
        at(
            offset,
            "a step needs `do`: one of `customer`, `entity`, `delete-entity`, `attach`, `set-quantity`, `track`, `check`, `grant`, `set-auto-top-up`, `advance`"
                .into(),
        )
    })?;
    let customer = || {
        fields
            .string("customer")?
            .ok_or_else(|| at(offset, format!("a `{action_name}` step needs `customer`")))
    };
    let feature = || {
        fields
            .string("feature")?
            .ok_or_else(|| at(offset, format!("a `{action_name}` step needs `feature`")))
    };
    let entity = || {
        fields
            .string("entity")?
            .ok_or_else(|| at(offset, format!("a `{action_name}` step needs `entity`")))
    };
    let (action, keys): (StepAction, &[&str]) = match action_name.as_str() {
        "entity" => (
            StepAction::Operation(Operation::CreateEntity(CreateEntityRequest {
                customer_id: customer()?,
                entity_id: entity()?,
                feature_id: feature()?,
                name: fields.string("name")?,
            })),
            &["customer", "entity", "feature", "name"],
        ),
        "delete-entity" => (
            StepAction::Operation(Operation::DeleteEntity {
                customer_id: customer()?,
                entity_id: entity()?,
            }),
            &["customer", "entity"],
        ),
        "customer" => (
            StepAction::Operation(Operation::CreateCustomer {
                customer_id: customer()?,
                name: fields.string("name")?,
                email: fields.string("email")?,
            }),
            &["customer", "name", "email"],
        ),
        "attach" | "set-quantity" => {
            let mut quantities = BTreeMap::new();
            if let Some(value) = fields.value("quantities") {
                let inner = Fields::new(value.get_ref(), value.span().start, "`quantities`", at)?;
                for (key, quantity) in inner.table {
                    quantities.insert(
                        key.get_ref().to_string(),
                        decimal(quantity, key.get_ref(), at)?,
                    );
                }
            }
            let plan = fields
                .string("plan")?
                .ok_or_else(|| at(offset, format!("a `{action_name}` step needs `plan`")))?;
            let (customer_id, idempotency_key) = (customer()?, fields.string("idempotency_key")?);
            let operation = if action_name == "attach" {
                Operation::Attach(AttachRequest {
                    customer_id,
                    plan_id: plan,
                    quantities,
                    idempotency_key,
                })
            } else {
                if quantities.is_empty() {
                    return Err(at(
                        offset,
                        "a `set-quantity` step needs `quantities = { ITEM = N }`".into(),
                    ));
                }
                Operation::SetQuantity(SetQuantityRequest {
                    customer_id,
                    plan_id: plan,
                    quantities,
                    idempotency_key,
                })
            };
            (
                StepAction::Operation(operation),
                &["customer", "plan", "quantities", "idempotency_key"],
            )
        }
        "track" => {
            let value = fields
                .value("value")
                .map(|value| decimal(value, "value", at))
                .transpose()?
                .unwrap_or(Decimal::ONE);
            (
                StepAction::Operation(Operation::Track(TrackRequest {
                    customer_id: customer()?,
                    feature_id: feature()?,
                    value,
                    idempotency_key: fields.string("idempotency_key")?,
                    overage: Overage::Overflow,
                    entity_id: fields.string("entity")?,
                })),
                &["customer", "feature", "value", "idempotency_key", "entity"],
            )
        }
        "set-auto-top-up" => {
            let word = fields.string("switch")?.ok_or_else(|| {
                at(
                    offset,
                    "a `set-auto-top-up` step needs `switch = \"on\"`, `\"off\"` or `\"plan\"`"
                        .into(),
                )
            })?;
            let switch = TopUpSwitch::parse(&word).ok_or_else(|| {
                at(
                    fields
                        .value("switch")
                        .map_or(offset, |value| value.span().start),
                    format!("`switch` is `on`, `off` or `plan` (the plan's default), not `{word}`"),
                )
            })?;
            (
                StepAction::Operation(Operation::SetAutoTopUp(SetAutoTopUpRequest {
                    customer_id: customer()?,
                    switches: [(feature()?, switch)].into(),
                })),
                &["customer", "feature", "switch"],
            )
        }
        "check" => {
            let required = fields
                .value("required")
                .map(|value| decimal(value, "required", at))
                .transpose()?;
            (
                StepAction::Operation(Operation::Check(CheckRequest {
                    customer_id: customer()?,
                    feature_id: feature()?,
                    required,
                    entity_id: fields.string("entity")?,
                })),
                &["customer", "feature", "required", "entity"],
            )
        }
        "grant" => {
            let amount = fields
                .value("amount")
                .ok_or_else(|| at(offset, "a `grant` step needs `amount`".into()))?;
            let amount = decimal(amount, "amount", at)?;
            let reason = fields
                .string("reason")?
                .ok_or_else(|| at(offset, "a `grant` step needs `reason`".into()))?;
            let expires = fields
                .value("expires")
                .map(|value| instant(value, "expires", at))
                .transpose()?;
            (
                StepAction::Operation(Operation::Grant(GrantRequest {
                    customer_id: customer()?,
                    feature_id: feature()?,
                    amount,
                    reason,
                    expires_at: expires.map(|instant| instant.0),
                })),
                &["customer", "feature", "amount", "reason", "expires"],
            )
        }
        "advance" => {
            let to = if let Some(until) = fields.value("until") {
                if ["days", "hours", "minutes"]
                    .iter()
                    .any(|key| fields.value(key).is_some())
                {
                    return Err(at(
                        until.span().start,
                        "`advance` takes `until` or `days`/`hours`/`minutes`, not both".into(),
                    ));
                }
                AdvanceTo::Until(instant(until, "until", at)?)
            } else {
                let whole = |key: &str| -> Result<i64, ScenarioError> {
                    match fields.value(key) {
                        None => Ok(0),
                        Some(value) => match value.get_ref() {
                            // At most a century of minutes: the clock stays far from overflow.
                            DeValue::Integer(integer) if integer.radix() == 10 => integer
                                .as_str()
                                .parse::<i64>()
                                .ok()
                                .filter(|count| (0..=52_560_000).contains(count))
                                .ok_or_else(|| {
                                    at(
                                        value.span().start,
                                        format!(
                                            "`{key}` must be a whole number from 0 to 52,560,000"
                                        ),
                                    )
                                }),
                            _ => Err(at(
                                value.span().start,
                                format!("`{key}` must be a whole number"),
                            )),
                        },
                    }
                };
                AdvanceTo::By {
                    days: whole("days")?,
                    hours: whole("hours")?,
                    minutes: whole("minutes")?,
                }
            };
            (
                StepAction::Advance {
                    to,
                    customer: fields.string("customer")?,
                },
                &["days", "hours", "minutes", "until", "customer"],
            )
        }
        other => {
            return Err(at(
                offset,
                format!(
                    "unknown step `do = \"{other}\"`: expected `customer`, `entity`, `delete-entity`, `attach`, `set-quantity`, `track`, `check`, `grant`, `set-auto-top-up` or `advance`"
                ),
            ));
        }
    };
    let expect = match fields.value("expect") {
        Some(value) => expectation(value, at)?,
        None => Expectation::default(),
    };
    let mut known = vec!["do", "expect"];
    known.extend_from_slice(keys);
    fields.finish(&known)?;
    Ok(Step {
        line: Location::of(text, offset).line,
        action,
        expect,
    })
}

fn expectation(
    value: &toml::Spanned<DeValue<'_>>,
    at: &At<'_>,
) -> Result<Expectation, ScenarioError> {
    let fields = Fields::new(value.get_ref(), value.span().start, "`expect`", at)?;
    let mut expectation = Expectation {
        allowed: match fields.value("allowed") {
            Some(value) => match value.get_ref() {
                DeValue::Boolean(flag) => Some(*flag),
                _ => {
                    return Err(at(
                        value.span().start,
                        "`allowed` must be `true` or `false`".into(),
                    ));
                }
            },
            None => None,
        },
        balance: fields
            .value("balance")
            .map(|value| expected_balance(value, at))
            .transpose()?,
        charge: fields
            .value("charge")
            .map(|value| decimal(value, "charge", at))
            .transpose()?,
        line_items: None,
        error: fields.string("error")?,
        alerts: None,
    };
    if let Some(value) = fields.value("alerts") {
        let not_strings = || {
            at(
                value.span().start,
                "`alerts` must be an array of strings such as `\"remaining 500\"`".into(),
            )
        };
        let DeValue::Array(array) = value.get_ref() else {
            return Err(not_strings());
        };
        let mut alerts = Vec::new();
        for element in array {
            match element.get_ref() {
                DeValue::String(text) => alerts.push(text.to_string()),
                _ => return Err(not_strings()),
            }
        }
        expectation.alerts = Some(alerts);
    }
    if let Some(value) = fields.value("line_items") {
        let DeValue::Array(array) = value.get_ref() else {
            return Err(at(
                value.span().start,
                "`line_items` must be an array of `{ description = …, amount = … }`".into(),
            ));
        };
        let mut lines = Vec::new();
        for element in array {
            let line = Fields::new(element.get_ref(), element.span().start, "a line item", at)?;
            let amount = line
                .value("amount")
                .ok_or_else(|| at(element.span().start, "a line item needs `amount`".into()))?;
            lines.push((line.string("description")?, decimal(amount, "amount", at)?));
            line.finish(&["description", "amount"])?;
        }
        expectation.line_items = Some(lines);
    }
    fields.finish(&[
        "allowed",
        "balance",
        "charge",
        "line_items",
        "error",
        "alerts",
    ])?;
    Ok(expectation)
}

/// `balance = 500` or `balance = { credits = 500 }`.
fn expected_balance(
    value: &toml::Spanned<DeValue<'_>>,
    at: &At<'_>,
) -> Result<ExpectedBalance, ScenarioError> {
    if !matches!(value.get_ref(), DeValue::Table(_)) {
        return decimal(value, "balance", at).map(ExpectedBalance::Reported);
    }
    let fields = Fields::new(value.get_ref(), value.span().start, "`balance`", at)?;
    let mut named = BTreeMap::new();
    for (key, amount) in fields.table {
        named.insert(
            key.get_ref().to_string(),
            decimal(amount, key.get_ref(), at)?,
        );
    }
    if named.is_empty() {
        return Err(at(
            value.span().start,
            "`balance` names at least one feature or credit system: `{ credits = 500 }`".into(),
        ));
    }
    Ok(ExpectedBalance::Named(named))
}

/// A table's fields, reporting unknown keys at the end.
struct Fields<'t, 'i, 'a> {
    table: &'t DeTable<'i>,
    at: &'a At<'a>,
    what: &'static str,
}

impl<'t, 'i, 'a> Fields<'t, 'i, 'a> {
    fn new(
        value: &'t DeValue<'i>,
        offset: usize,
        what: &'static str,
        at: &'a At<'a>,
    ) -> Result<Self, ScenarioError> {
        match value {
            DeValue::Table(table) => Ok(Fields { table, at, what }),
            _ => Err(at(offset, format!("{what} must be a table"))),
        }
    }

    fn value(&self, key: &str) -> Option<&'t toml::Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    fn string(&self, key: &str) -> Result<Option<String>, ScenarioError> {
        match self.value(key) {
            None => Ok(None),
            Some(value) => match value.get_ref() {
                DeValue::String(text) => Ok(Some(text.to_string())),
                _ => Err((self.at)(
                    value.span().start,
                    format!("`{key}` must be a string"),
                )),
            },
        }
    }

    fn finish(&self, known: &[&str]) -> Result<(), ScenarioError> {
        for (key, _) in self.table {
            if !known.contains(&key.get_ref().as_ref()) {
                let suggestion =
                    crate::diagnostics::did_you_mean(key.get_ref(), known.iter().copied())
                        .map_or_else(
                            || format!("known keys: {}", known.join(", ")),
                            |suggestion| format!("did you mean `{suggestion}`?"),
                        );
                return Err((self.at)(
                    key.span().start,
                    format!(
                        "unknown key `{}` in {}; {suggestion}",
                        key.get_ref(),
                        self.what
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn decimal(
    value: &toml::Spanned<DeValue<'_>>,
    key: &str,
    at: &At<'_>,
) -> Result<Decimal, ScenarioError> {
    DecimalLiteral::from_value(value.get_ref())
        .map(|literal| literal.0)
        .map_err(|problem| {
            at(
                value.span().start,
                format!("`{key}` must be an exact decimal: {problem}"),
            )
        })
}

fn instant(
    value: &toml::Spanned<DeValue<'_>>,
    key: &str,
    at: &At<'_>,
) -> Result<Instant, ScenarioError> {
    let text = match value.get_ref() {
        DeValue::Datetime(datetime) => datetime.to_string(),
        DeValue::String(text) => text.to_string(),
        _ => {
            return Err(at(
                value.span().start,
                format!("`{key}` must be a date-time such as 2026-01-01T00:00:00Z"),
            ));
        }
    };
    Instant::parse(&text).map_err(|error| at(value.span().start, error.to_string()))
}
