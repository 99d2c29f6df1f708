//! Addresses: the name of one object of a catalog, as plans, backends and annotations use it.
//!
//! Written `feature.<id>`, `credit_system.<id>`, `plan.<id>` or `plan.<id>.item.<id>` (what a
//! plan grants of one feature or credit system). Ids never contain a `.`, so the written form
//! reads back to exactly one address.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The kind of a top-level catalog object. Ordered as the written forms sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    CreditSystem,
    Feature,
    Plan,
}

impl ObjectKind {
    /// The kind as an address writes it (`credit_system`).
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::CreditSystem => "credit_system",
            ObjectKind::Feature => "feature",
            ObjectKind::Plan => "plan",
        }
    }
}

/// One object of a catalog: a feature, a credit system, a plan, or one item of a plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    kind: ObjectKind,
    id: String,
    /// For a plan's item: the feature or credit system it grants.
    item: Option<String>,
}

impl Address {
    /// `feature.<id>`.
    pub fn feature(id: impl Into<String>) -> Address {
        Address::object(ObjectKind::Feature, id)
    }

    /// `credit_system.<id>`.
    pub fn credit_system(id: impl Into<String>) -> Address {
        Address::object(ObjectKind::CreditSystem, id)
    }

    /// `plan.<id>`.
    pub fn plan(id: impl Into<String>) -> Address {
        Address::object(ObjectKind::Plan, id)
    }

    /// The item of plan `plan` that grants `item` (a feature or credit system id).
    pub fn item(plan: impl Into<String>, item: impl Into<String>) -> Address {
        Address {
            kind: ObjectKind::Plan,
            id: plan.into(),
            item: Some(item.into()),
        }
    }

    /// A top-level object of `kind`.
    pub fn object(kind: ObjectKind, id: impl Into<String>) -> Address {
        Address {
            kind,
            id: id.into(),
            item: None,
        }
    }

    /// The kind of the object, or for an item of its plan.
    pub fn kind(&self) -> ObjectKind {
        self.kind
    }

    /// The id of the object, or for an item the id of its plan.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// For an item, the feature or credit system it grants.
    pub fn item_id(&self) -> Option<&str> {
        self.item.as_deref()
    }

    /// For an item, the address of its plan; `None` for a top-level object.
    pub fn parent(&self) -> Option<Address> {
        self.item.as_ref().map(|_| Address::plan(self.id.clone()))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}.{}", self.kind.as_str(), self.id)?;
        if let Some(item) = &self.item {
            write!(formatter, ".item.{item}")?;
        }
        Ok(())
    }
}

/// Text that is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not an address: write `feature.<id>`, `credit_system.<id>`, `plan.<id>` or `plan.<id>.item.<id>`"
)]
pub struct AddressError {
    /// The text as it was given.
    pub text: String,
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Address, AddressError> {
        let error = || AddressError {
            text: text.to_string(),
        };
        let (kind, rest) = text.split_once('.').ok_or_else(error)?;
        let kind = match kind {
            "feature" => ObjectKind::Feature,
            "credit_system" => ObjectKind::CreditSystem,
            "plan" => ObjectKind::Plan,
            _ => return Err(error()),
        };
        let is_id = |id: &str| !id.is_empty() && !id.contains('.');
        if is_id(rest) {
            return Ok(Address::object(kind, rest));
        }
        match rest.split_once(".item.") {
            Some((plan, item)) if kind == ObjectKind::Plan && is_id(plan) && is_id(item) => {
                Ok(Address::item(plan, item))
            }
            _ => Err(error()),
        }
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Address, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::{Address, ObjectKind};

    #[test]
    fn reads_back_what_it_writes() {
        let addresses = [
            Address::feature("o1-input-tokens"),
            Address::credit_system("credits"),
            Address::plan("pro"),
            Address::item("pro", "messages"),
        ];
        let written: Vec<String> = addresses.iter().map(ToString::to_string).collect();
        assert_eq!(
            written,
            [
                "feature.o1-input-tokens",
                "credit_system.credits",
                "plan.pro",
                "plan.pro.item.messages"
            ]
        );
        for (address, text) in addresses.iter().zip(&written) {
            assert_eq!(&text.parse::<Address>().unwrap(), address);
            let json = serde_json::to_string(address).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(&serde_json::from_str::<Address>(&json).unwrap(), address);
        }
        let item = Address::item("pro", "messages");
        assert_eq!(item.parent(), Some(Address::plan("pro")));
        assert_eq!(item.kind(), ObjectKind::Plan);
        assert_eq!(item.item_id(), Some("messages"));
        assert_eq!(Address::plan("pro").parent(), None);
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for text in [
            "",
            "catalog",
            "feature",
            "feature.",
            "feature.a.b",
            "feature.a.item.b",
            "credit_system.c.item.x",
            "plan.pro.item.",
            "plan..item.x",
            "plan.pro.items.x",
            "plans.pro",
            "Feature.a",
        ] {
            let error = text.parse::<Address>().unwrap_err();
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("`{text}` is not an address")),
                "{text}: {error}"
            );
        }
        let json = serde_json::from_str::<Address>("\"plan.a.b\"").unwrap_err();
        assert!(
            json.to_string().contains("`plan.a.b` is not an address"),
            "{json}"
        );
    }

    #[test]
    fn sorts_as_written() {
        let mut addresses = [
            Address::plan("a"),
            Address::feature("z"),
            Address::credit_system("m"),
            Address::plan("a-b"),
        ];
        addresses.sort();
        let mut written: Vec<String> = addresses.iter().map(ToString::to_string).collect();
        let sorted = written.clone();
        written.sort();
        assert_eq!(sorted, written);
    }
}
