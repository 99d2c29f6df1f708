//! What pricectl sends Autumn to create the openai-credits catalog, request by request, as
//! snapshots; and each object's body compared field by field with what Autumn's own CLI
//! (`atmn push`, pinned in tests/interop) sends for the same catalog. A recording proxy on a
//! loopback port sits in front of a `pricectl serve` for each client. Every difference must
//! be one listed below with its reason; any other fails, and so does a listed one that no
//! longer occurs.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::fault_proxy::FaultProxy;
use crate::interop::{atmn_at, project, text};
use crate::serve::server::{KEY, Server};

/// One request as the client sent it, its body read as JSON.
#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    /// The path, such as `/v1/features.create`.
    path: String,
    /// The JSON body; `Null` when there is none.
    body: Value,
}

/// What `proxy` recorded, its bodies read as JSON.
fn recorded(proxy: &FaultProxy) -> Vec<Recorded> {
    proxy
        .recorded()
        .into_iter()
        .map(|request| Recorded {
            method: request.method,
            path: request.path,
            body: serde_json::from_slice(&request.body).unwrap_or(Value::Null),
        })
        .collect()
}

/// The requests pricectl sends (applying as `mode` says) to create openai-credits in an empty
/// organization.
fn pricectl_push(mode: &str) -> Vec<Recorded> {
    let context = project("openai-credits");
    let server = Server::start(&context);
    let recorder = FaultProxy::recording(&server.address).expect("the proxy starts");
    let applied = context
        .command()
        .args(["apply", "--auto-approve", "--quiet", "pricing.toml"])
        .args(["--apply-mode", mode, "--backend", "autumn", "--api-url"])
        .arg(format!("http://{}", recorder.address))
        .env("AUTUMN_SECRET_KEY", KEY)
        .output()
        .expect("pricectl runs");
    assert!(applied.status.success(), "{}", text(&applied));
    recorded(&recorder)
}

/// The requests `atmn push` sends to create openai-credits in an empty organization.
fn atmn_push() -> Vec<Recorded> {
    let context = project("openai-credits");
    let server = Server::start(&context);
    let recorder = FaultProxy::recording(&server.address).expect("the proxy starts");
    let pushed = atmn_at(&recorder.address, context.directory(), &["push", "--yes"]);
    assert!(pushed.status.success(), "{}", text(&pushed));
    recorded(&recorder)
}

/// The writes of a push, as a snapshot shows them (the reads before them are the plan's).
fn shown_writes(requests: &[Recorded]) -> String {
    requests
        .iter()
        .filter(|request| is_write(request))
        .map(|request| match &request.body {
            Value::Null => format!("{} {}\n\n", request.method, request.path),
            body => format!(
                "{} {}\n{}\n\n",
                request.method,
                request.path,
                serde_json::to_string_pretty(body).expect("JSON")
            ),
        })
        .collect()
}

/// The objects a push creates, by kind and id, with the body that creates each: from
/// `features.create` and `plans.create`, or from the lists of a `catalog.update`.
fn created_objects(requests: &[Recorded]) -> BTreeMap<(&'static str, String), &Value> {
    let mut objects = BTreeMap::new();
    for request in requests {
        match request.path.as_str() {
            "/v1/features.create" => {
                objects.insert(
                    ("feature", id_of(&request.body, "feature_id")),
                    &request.body,
                );
            }
            "/v1/plans.create" => {
                objects.insert(("plan", id_of(&request.body, "plan_id")), &request.body);
            }
            "/v1/catalog.update" => {
                for (kind, list, key) in [
                    ("feature", "features", "feature_id"),
                    ("plan", "plans", "plan_id"),
                ] {
                    for object in request.body[list].as_array().expect("a list") {
                        objects.insert((kind, id_of(object, key)), object);
                    }
                }
            }
            _ => {}
        }
    }
    objects
}

#[test]
fn change_by_change_pricectl_sends_each_object_as_in_bulk() {
    let per_object = pricectl_push("per-object");
    insta::assert_snapshot!(
        "openai_credits_requests_per_object",
        shown_writes(&per_object)
    );
    let bulk = pricectl_push("bulk");
    assert_eq!(
        created_objects(&per_object),
        created_objects(&bulk),
        "each object's body is the same in either mode"
    );
}

#[test]
fn pricectl_sends_what_atmn_sends_for_openai_credits_but_the_listed_differences() {
    let pricectl = pricectl_push("bulk");
    let atmn = atmn_push();
    insta::assert_snapshot!("openai_credits_requests", shown_writes(&pricectl));

    let ours = created_objects(&pricectl);
    let theirs = created_objects(&atmn);
    for (name, requests) in [("pricectl", &pricectl), ("atmn", &atmn)] {
        assert_eq!(
            requests
                .iter()
                .filter(|request| is_write(request))
                .map(|request| request.path.as_str())
                .collect::<Vec<_>>(),
            ["/v1/catalog.update"],
            "{name} pushes the catalog in one request"
        );
    }
    let update_of = |requests: &[Recorded]| -> Value {
        requests
            .iter()
            .find(|request| request.path == "/v1/catalog.update")
            .map(|request| request.body.clone())
            .expect("a catalog.update")
    };
    let (our_update, their_update) = (update_of(&pricectl), update_of(&atmn));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "the same objects"
    );

    let mut differences: Vec<Difference> = Vec::new();
    // catalog.update's own fields, beside its lists of objects.
    let envelope = |update: &Value| -> BTreeMap<String, Value> {
        let mut leaves = BTreeMap::new();
        for (name, value) in update.as_object().expect("an object") {
            if !matches!(name.as_str(), "features" | "plans") {
                leaves.insert(name.clone(), value.clone());
            }
        }
        leaves
    };
    let (left, right) = (envelope(&our_update), envelope(&their_update));
    let names: std::collections::BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    for name in names {
        if left.get(name) != right.get(name) {
            differences.push(Difference {
                object: "catalog.update".into(),
                path: name.clone(),
                pricectl: left.get(name).cloned(),
                atmn: right.get(name).cloned(),
            });
        }
    }
    for (key, body) in &ours {
        let mut left = BTreeMap::new();
        flatten(body, String::new(), &mut left);
        let mut right = BTreeMap::new();
        flatten(theirs[key], String::new(), &mut right);
        let paths: std::collections::BTreeSet<&String> = left.keys().chain(right.keys()).collect();
        for path in paths {
            let (mine, other) = (left.get(path), right.get(path));
            if mine != other {
                differences.push(Difference {
                    object: format!("{}.{}", key.0, key.1),
                    path: path.clone(),
                    pricectl: mine.cloned(),
                    atmn: other.cloned(),
                });
            }
        }
    }

    let mut unexplained = Vec::new();
    let mut used = vec![false; ALLOWED.len()];
    for difference in &differences {
        match ALLOWED
            .iter()
            .position(|allowed| allowed.explains(difference))
        {
            Some(index) => used[index] = true,
            None => unexplained.push(difference),
        }
    }
    assert!(
        unexplained.is_empty(),
        "differences from atmn with no reason given in ALLOWED:\n{unexplained:#?}"
    );
    let stale: Vec<&Allowed> = ALLOWED
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(allowed, _)| allowed)
        .collect();
    assert!(
        stale.is_empty(),
        "listed differences that no longer occur:\n{stale:#?}"
    );
}

/// A request that changes the catalog: not a list, a preview, or a `GET`.
fn is_write(request: &Recorded) -> bool {
    // Autumn's routes are `/v1/<object>.<verb>`: a read's verb is `list`.
    let verb = request.path.rsplit('.').next().unwrap_or_default();
    request.method == "POST" && verb != "list" && !request.path.contains("preview")
}

fn id_of(body: &Value, key: &str) -> String {
    body[key].as_str().expect("an id").to_string()
}

/// Every leaf of `value` by its path (`items[credits].price.amount`): object fields by name,
/// array elements by the id they carry (`feature_id`, `metered_feature_id`), else their index.
/// Field order never matters: both sides are compared as maps.
fn flatten(value: &Value, path: String, leaves: &mut BTreeMap<String, Value>) {
    let join = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (name, field) in fields {
                flatten(field, join(name), leaves);
            }
        }
        Value::Array(elements) if !elements.is_empty() => {
            for (index, element) in elements.iter().enumerate() {
                let id = ["feature_id", "metered_feature_id"]
                    .iter()
                    .find_map(|key| element[*key].as_str())
                    .map_or_else(|| index.to_string(), ToString::to_string);
                flatten(element, format!("{path}[{id}]"), leaves);
            }
        }
        leaf => {
            leaves.insert(path, leaf.clone());
        }
    }
}

/// A field where the two bodies of one object differ: the value each client sent, `None`
/// for a field it left out.
#[derive(Debug)]
struct Difference {
    /// `feature.credits`, `plan.credit-top-up`, or `catalog.update` for atmn's envelope.
    object: String,
    path: String,
    pricectl: Option<Value>,
    atmn: Option<Value>,
}

/// Which client sends a field the other leaves out; or both send it, each its own value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnlySent {
    Pricectl,
    Atmn,
    /// Both, pricectl the allowed `value` and atmn this one.
    BothAtmnWith(&'static str),
}

/// A difference that is legitimate, and why.
#[derive(Debug)]
struct Allowed {
    /// The object (`feature.credits`), or `feature.*` for every feature.
    object: &'static str,
    /// The field's path, or the start of it (`display` covers `display.singular`).
    path: &'static str,
    only: OnlySent,
    /// The value the one client sends, when it is always the same.
    value: Option<&'static str>,
    #[expect(
        dead_code,
        reason = "read by people: the reason is the point of the list"
    )]
    reason: &'static str,
}

impl Allowed {
    fn explains(&self, difference: &Difference) -> bool {
        let object = match self.object.strip_suffix('*') {
            Some(kind) => difference.object.starts_with(kind),
            None => difference.object == self.object,
        };
        let path = difference.path == self.path
            || difference.path.starts_with(&format!("{}.", self.path))
            || difference.path.starts_with(&format!("{}[", self.path));
        let json = |text: &str| serde_json::from_str::<Value>(text).ok();
        let (sent, missing) = match self.only {
            OnlySent::Pricectl => (&difference.pricectl, &difference.atmn),
            OnlySent::Atmn => (&difference.atmn, &difference.pricectl),
            OnlySent::BothAtmnWith(atmn) => {
                return object
                    && path
                    && difference.atmn.is_some()
                    && difference.atmn == json(atmn)
                    && self
                        .value
                        .is_some_and(|value| difference.pricectl == json(value));
            }
        };
        let value = match (self.value, sent) {
            (None, Some(_)) => true,
            (Some(expected), Some(sent)) => {
                serde_json::from_str::<Value>(expected).is_ok_and(|expected| &expected == sent)
            }
            (_, None) => false,
        };
        object && path && missing.is_none() && value
    }
}

/// Every legitimate difference between pricectl's bodies and atmn's for openai-credits.
/// Whatever both send must be equal, value for value.
const ALLOWED: &[Allowed] = &[
    Allowed {
        object: "catalog.update",
        path: "rewards",
        only: OnlySent::Atmn,
        value: Some("[]"),
        reason: "pricectl never touches rewards (it names them as unmanaged): left out, Autumn leaves them as they are (`catalogConfigResources.ts`)",
    },
    Allowed {
        object: "catalog.update",
        path: "referral_programs",
        only: OnlySent::Atmn,
        value: Some("[]"),
        reason: "as rewards: referral programs are Autumn's, never pricectl's",
    },
    Allowed {
        object: "catalog.update",
        path: "skip_deletions",
        only: OnlySent::BothAtmnWith("false"),
        value: Some("true"),
        reason: "atmn removes what its push leaves out; pricectl sends only the objects that change, and deletes and archives by explicit changes (`--allow-destroy`), each through its own endpoint",
    },
    Allowed {
        object: "feature.*",
        path: "event_names",
        only: OnlySent::Pricectl,
        value: Some("[]"),
        reason: "pricectl states Autumn's default (no event names) on create, so what it creates never depends on a default",
    },
    Allowed {
        object: "feature.o1-input-tokens",
        path: "display",
        only: OnlySent::Pricectl,
        value: None,
        reason: "the pricing's display names (`display = { singular = \"token\", … }`); atmn's config has no field for them",
    },
    Allowed {
        object: "feature.credits",
        path: "display",
        only: OnlySent::Pricectl,
        value: None,
        reason: "as for o1-input-tokens: the credit system's display names",
    },
    Allowed {
        object: "feature.credits",
        path: "consumable",
        only: OnlySent::Pricectl,
        value: Some("true"),
        reason: "a credit system is consumable in Autumn; atmn leaves it to that default, pricectl states it",
    },
    Allowed {
        object: "plan.credit-top-up",
        path: "licenses",
        only: OnlySent::Atmn,
        value: Some("[]"),
        reason: "atmn 1.1.25 sends an empty list of seat licenses; the language has none and Autumn's default is none",
    },
    Allowed {
        object: "plan.credit-top-up",
        path: "description",
        only: OnlySent::Pricectl,
        value: Some("null"),
        reason: "pricectl states the plan has no description, Autumn's default, which atmn leaves out",
    },
    Allowed {
        object: "plan.credit-top-up",
        path: "items[credits].included",
        only: OnlySent::Pricectl,
        value: Some("0"),
        reason: "a prepaid item includes nothing: pricectl states Autumn's default",
    },
    Allowed {
        object: "plan.credit-top-up",
        path: "items[credits].unlimited",
        only: OnlySent::Pricectl,
        value: Some("false"),
        reason: "Autumn's default, stated",
    },
    Allowed {
        object: "plan.credit-top-up",
        path: "items[credits].expiry",
        only: OnlySent::Pricectl,
        value: Some("null"),
        reason: "no rollover expiry: Autumn's default, stated",
    },
    Allowed {
        object: "plan.credit-top-up",
        path: "billing_controls",
        only: OnlySent::Pricectl,
        value: None,
        reason: "pricectl sends a plan's billing controls whole (here none), so Autumn holds exactly the pricing's; atmn's config has none to send",
    },
    Allowed {
        object: "plan.credit-top-up",
        path: "metadata.pricectl",
        only: OnlySent::Pricectl,
        value: None,
        reason: "the facts only pricectl has, kept in the plan's metadata: here the prepaid minimum of 500 credits, which atmn's config cannot say",
    },
];

#[test]
fn only_a_listed_field_with_its_listed_value_is_a_legitimate_difference() {
    let explained = |object: &str, path: &str, pricectl: Option<&str>, atmn: Option<&str>| {
        let difference = Difference {
            object: object.into(),
            path: path.into(),
            pricectl: pricectl.map(|value| serde_json::from_str(value).expect("JSON")),
            atmn: atmn.map(|value| serde_json::from_str(value).expect("JSON")),
        };
        ALLOWED.iter().any(|allowed| allowed.explains(&difference))
    };
    assert!(explained(
        "feature.o3-input-tokens",
        "event_names",
        Some("[]"),
        None
    ));
    assert!(explained(
        "plan.credit-top-up",
        "billing_controls.spend_limits",
        Some("[]"),
        None
    ));
    // A value both send must be equal.
    assert!(!explained(
        "feature.credits",
        "credit_schema[o1-input-tokens].credit_cost",
        Some("0.0015"),
        Some("0.002")
    ));
    // A listed field with another value, sent by the other client, or on another object.
    assert!(!explained(
        "feature.credits",
        "event_names",
        Some("[\"x\"]"),
        None
    ));
    assert!(!explained(
        "feature.credits",
        "event_names",
        None,
        Some("[]")
    ));
    assert!(!explained(
        "feature.o1-output-tokens",
        "display.singular",
        Some("\"a\""),
        None
    ));
    // A listed field sent by both, differently.
    assert!(!explained(
        "plan.credit-top-up",
        "description",
        Some("null"),
        Some("\"x\"")
    ));
}
