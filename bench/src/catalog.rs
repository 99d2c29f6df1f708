//! The large generated catalog of the benchmarks and the fault tests: deterministic pricing
//! text of any size that validates with no errors and no warnings.
//!
//! Shared by `bench/src/bin/generate.rs` (docs/performance.md) and the integration tests
//! (`tests/integration/apply_faults.rs`, through `#[path]`): one generator, so the catalog the
//! tests apply through faults is the benchmark's, only smaller.
//!
//! Every feature is drawn from by exactly one credit system, no plan prices a feature directly
//! while granting a credit system that draws from it, prepaid purchases start at USD 0.50 or
//! more, and prepaid amounts are whole cents.

use std::fmt::Write as _;

/// Four token features per model.
const TOKEN_KINDS: [(&str, &str); 4] = [
    ("input", "input"),
    ("output", "output"),
    ("cache-write", "cache write"),
    ("cache-read", "cache read"),
];

/// Items per plan: the plan's credit system and nine features of another credit system's block.
pub const ITEMS_PER_PLAN: usize = 10;

/// How large a generated catalog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// At least 2: a plan prices features of another credit system than the one it grants.
    pub credit_systems: usize,
    /// Costs of each credit system, so features per credit system: a multiple of 4 (the
    /// token kinds of a model), at least 20 (a plan's nine features stay distinct).
    pub costs_per_system: usize,
    /// Plans, in product lines of four (free, starter, pro, top-up).
    pub plans: usize,
}

impl Size {
    /// SCALE 1.0 is 5,000 metered features, 50 credit systems of 100 costs each, and 2,000
    /// plans of 10 items each; SCALE multiplies the credit systems (so the features) and the
    /// plans.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub fn at_scale(scale: f64) -> Size {
        Size {
            credit_systems: ((50.0 * scale).round() as usize).max(2),
            costs_per_system: 100,
            plans: ((2_000.0 * scale).round() as usize).max(1),
        }
        .checked()
    }

    /// A small catalog of the same shapes: `credit_systems` of `costs_per_system` costs, and
    /// `plans` plans (the sizes are raised to the smallest that keep the catalog valid).
    pub fn small(credit_systems: usize, costs_per_system: usize, plans: usize) -> Size {
        Size {
            credit_systems,
            costs_per_system,
            plans,
        }
        .checked()
    }

    fn checked(self) -> Size {
        Size {
            credit_systems: self.credit_systems.max(2),
            costs_per_system: self.costs_per_system.max(20).next_multiple_of(4),
            plans: self.plans.max(1),
        }
    }

    /// Metered features: one per cost.
    pub fn features(&self) -> usize {
        self.credit_systems * self.costs_per_system
    }

    /// Features, credit systems and plans: the objects an apply to an empty catalog creates.
    pub fn objects(&self) -> usize {
        self.features() + self.credit_systems + self.plans
    }
}

/// `units / 10^scale` as exact decimal text: `decimal(3, 5)` is `0.00003`.
fn decimal(units: u64, scale: u32) -> String {
    let divisor = 10_u64.pow(scale);
    let whole = units / divisor;
    let fraction = units % divisor;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:0width$}", width = scale as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// `1000000` as `1_000_000`, as people write big numbers in TOML.
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('_');
        }
        out.push(digit);
    }
    out
}

fn feature_id(feature: usize) -> String {
    let model = feature / TOKEN_KINDS.len();
    let (kind, _) = TOKEN_KINDS[feature % TOKEN_KINDS.len()];
    format!("model-{model:04}-{kind}-tokens")
}

fn system_id(system: usize) -> String {
    format!("credits-{system:03}")
}

/// A model's input price in credits per million tokens (1 credit = 1 US cent): 40 to 1,500,
/// a multiple of 4 so the cache write price (1.25x) is whole credits too.
fn input_credits(model: usize) -> u64 {
    40 + ((model as u64 * 37) % 366) * 4
}

/// The pricing text of a catalog of `size`, with a `#:schema` line when `directive` names the
/// schema.
///
/// With `protect`, every 50th feature is protected; the Autumn backend refuses those (Autumn's
/// features have nowhere to record it), so a catalog for Autumn is written without.
pub fn catalog(directive: Option<&str>, size: Size, protect: bool) -> String {
    let Size {
        credit_systems: systems,
        costs_per_system,
        plans,
    } = size;
    let features = size.features();
    let mut out = String::with_capacity(900 * features + 1_800 * plans);
    if let Some(directive) = directive {
        let _ = writeln!(out, "#:schema {directive}");
    }
    out.push_str(
        "\n# Generated by bench/src/catalog.rs (docs/performance.md). Do not edit.\n\n\
         version = 1\ncurrency = \"USD\"\n",
    );

    out.push_str("\n# ---------------------------------------------------------------- features\n");
    for feature in 0..features {
        write_feature(&mut out, feature, protect);
    }

    out.push_str("\n# ---------------------------------------------------------- credit systems\n");
    for system in 0..systems {
        write_credit_system(&mut out, system, costs_per_system);
    }

    out.push_str("\n# ------------------------------------------------------------------- plans\n");
    for plan in 0..plans {
        write_plan(&mut out, plan, systems, costs_per_system);
    }
    out
}

fn write_feature(out: &mut String, feature: usize, protect: bool) {
    let model = feature / TOKEN_KINDS.len();
    let (kind, kind_name) = TOKEN_KINDS[feature % TOKEN_KINDS.len()];
    let id = feature_id(feature);
    let _ = write!(
        out,
        "\n[features.{id}]\nname = \"Model {model:04} {kind_name} tokens\"\ntype = \"metered\"\n\
         display = {{ singular = \"token\", plural = \"tokens\" }}\n"
    );
    if feature.is_multiple_of(3) {
        let event = kind.replace('-', "_");
        let _ = writeln!(out, "event_names = [\"model_{model:04}_{event}\"]");
    }
    if protect && feature % 50 == 7 {
        out.push_str("protect = true\n");
    }
}

fn write_credit_system(out: &mut String, system: usize, costs_per_system: usize) {
    let id = system_id(system);
    let _ = write!(
        out,
        "\n[credit_systems.{id}]\nname = \"Credits, region {system:03}\"\n\
         display = {{ singular = \"credit\", plural = \"credits\" }}\n\n\
         [credit_systems.{id}.costs]\n"
    );
    for offset in 0..costs_per_system {
        let feature = system * costs_per_system + offset;
        let model = feature / TOKEN_KINDS.len();
        let input = input_credits(model);
        let feature_id = feature_id(feature);
        // Credits per million tokens; cache reads as a bare per-token decimal (0.1x input).
        let cost = match feature % TOKEN_KINDS.len() {
            0 => format!("{{ credits = {}, per = 1_000_000 }}", grouped(input)),
            1 => format!("{{ credits = {}, per = 1_000_000 }}", grouped(input * 5)),
            2 => format!(
                "{{ credits = {}, per = 1_000_000 }}",
                grouped(input * 5 / 4)
            ),
            _ => decimal(input, 7),
        };
        let _ = writeln!(out, "{feature_id} = {cost}");
    }
}

fn write_plan(out: &mut String, plan: usize, systems: usize, costs_per_system: usize) {
    // Plans come in product lines of four: free (the line's default), starter, pro, and a
    // top-up add-on outside the line's group.
    let line = plan / 4;
    let role = plan % 4;
    let system = plan % systems;
    // The features this plan prices directly come from another credit system's block, so no
    // feature is both priced directly and drawn from the credits the plan grants.
    let block = (system + 1 + plan / systems % (systems - 1)) % systems;
    let (suffix, name) = match role {
        0 => ("free", "Free"),
        1 => ("starter", "Starter"),
        2 => ("pro", "Pro"),
        _ => ("top-up", "Top-up"),
    };
    let id = format!("line-{line:04}-{suffix}");
    let _ = write!(
        out,
        "\n[plans.{id}]\nname = \"Line {line:04} {name}\"\n\
         description = \"{name} plan of product line {line:04}: credits and metered model access.\"\n"
    );
    match role {
        0 => {
            let _ = write!(out, "group = \"line-{line:04}\"\ndefault = true\n");
        }
        1 => {
            let dollars = 9 + line % 40;
            let _ = write!(
                out,
                "group = \"line-{line:04}\"\nprice = {{ amount = {dollars}, interval = \"month\" }}\n\
                 free_trial = {{ days = 14, card_required = false }}\n"
            );
        }
        2 => {
            let cents = 9_900 + (line % 50) as u64 * 500 + 99;
            let interval = if line.is_multiple_of(3) {
                "year"
            } else {
                "month"
            };
            let _ = write!(
                out,
                "group = \"line-{line:04}\"\nprice = {{ amount = {}, interval = \"{interval}\" }}\n",
                decimal(cents, 2)
            );
        }
        _ => out.push_str("add_on = true\n"),
    }

    // Item 0: the credit system.
    let _ = writeln!(out, "\n[plans.{id}.items.{}]", system_id(system));
    match role {
        0 => out.push_str("included = 500\nreset = \"month\"\n"),
        1 => out.push_str("included = 2_500\nreset = \"month\"\n"),
        2 => out.push_str(
            "included = 20_000\nreset = \"month\"\n\
             price = { amount = 10, per = 1_000, billing = \"prepaid\", interval = \"month\" }\n\
             prepaid = { min = 1_000, max = 100_000 }\n",
        ),
        _ => out.push_str(
            "price = { amount = 0.01, billing = \"prepaid\", interval = \"one_off\" }\n\
             prepaid = { min = 500, max = 1_000_000 }\n",
        ),
    }

    // Items 1 to 9: features of another block, distinct within the plan.
    for slot in 0..ITEMS_PER_PLAN - 1 {
        let offset = (plan * 7 + slot * 11) % costs_per_system;
        let feature = block * costs_per_system + offset;
        let _ = writeln!(out, "\n[plans.{id}.items.{}]", feature_id(feature));
        write_feature_item(out, plan, role, slot);
    }
}

fn write_feature_item(out: &mut String, plan: usize, role: usize, slot: usize) {
    let variant = (slot + plan) % 5;
    if role == 0 {
        // Free plans only include usage.
        if variant == 4 {
            out.push_str("included = \"unlimited\"\n");
        } else {
            let _ = write!(
                out,
                "included = {}\nreset = \"{}\"\n",
                grouped(100_000 * (1 + variant as u64)),
                ["day", "week", "month", "month"][variant]
            );
        }
        return;
    }
    // Usage prices may be fractions of a cent per unit; prepaid amounts are whole cents.
    let cents = 25 + ((plan * 31 + slot * 17) % 400) as u64;
    match variant {
        0 => {
            let _ = write!(
                out,
                "included = 1_000_000\nreset = \"month\"\n\
                 price = {{ amount = {}, per = 1_000_000, billing = \"usage\", interval = \"month\" }}\n",
                decimal(cents, 2)
            );
        }
        1 => {
            let _ = write!(
                out,
                "included = 2_000_000\nreset = \"month\"\n\
                 price = {{ per = 1_000_000, billing = \"usage\", interval = \"month\" }}\n\
                 tier_mode = \"graduated\"\n\
                 tiers = [\n  {{ up_to = 100_000_000, amount = {} }},\n  {{ up_to = 1_000_000_000, amount = {} }},\n  {{ up_to = \"inf\", amount = {} }},\n]\n",
                decimal(cents, 2),
                decimal(cents * 8, 3),
                decimal(cents * 6, 3),
            );
        }
        2 => {
            let _ = write!(
                out,
                "included = 500_000\nreset = \"week\"\n\
                 price = {{ amount = {}, per = 1_000_000, billing = \"prepaid\", interval = \"month\" }}\n\
                 prepaid = {{ min = 5_000_000, max = 500_000_000 }}\n",
                decimal(cents, 2)
            );
        }
        3 => {
            let _ = write!(
                out,
                "price = {{ per = 1_000_000, billing = \"prepaid\", interval = \"one_off\" }}\n\
                 tier_mode = \"volume\"\n\
                 tiers = [{{ up_to = 10_000_000, amount = {} }}, {{ up_to = \"inf\", amount = {} }}]\n\
                 prepaid = {{ min = 2_000_000 }}\n",
                decimal(cents, 2),
                decimal(cents * 9 / 10, 2),
            );
        }
        _ => {
            let _ = write!(
                out,
                "included = {}\nreset = \"day\"\n",
                grouped(250_000 * (1 + (plan % 8) as u64))
            );
        }
    }
}
