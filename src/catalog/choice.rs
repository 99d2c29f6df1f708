/// A value from a closed set of words (`type = "metered"`).
///
/// Implementors list their spellings once; reading, "did you mean" and the JSON Schema's
/// `enum` all come from that list.
pub trait Choice: Sized + Copy + 'static {
    /// Every accepted spelling with its value, in the order error messages list them.
    const CHOICES: &'static [(&'static str, Self)];

    fn as_str(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::CHOICES
            .iter()
            .find(|(_, value)| *value == self)
            .map(|(name, _)| *name)
            .expect("every value of a choice is listed in CHOICES")
    }
}

/// Implements [`Choice`] and a `JsonSchema` with an `enum` of the spellings.
macro_rules! choice {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident => $spelling:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $crate::catalog::Choice for $name {
            const CHOICES: &'static [(&'static str, Self)] = &[$(($spelling, $name::$variant)),+];
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($spelling),+] })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::catalog::Choice::as_str(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                <$name as $crate::catalog::Choice>::CHOICES
                    .iter()
                    .find(|(name, _)| *name == text.as_ref())
                    .map(|(_, value)| *value)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&text, &[$($spelling),+]))
            }
        }
    };
}
pub(crate) use choice;
