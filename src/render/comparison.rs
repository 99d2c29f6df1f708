/// What a plan compares, so its views say so in their headings and notes. The plan itself is
/// the same either way: this only changes the words around it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Comparison {
    /// `pricectl plan`: the pricing against the live catalog.
    #[default]
    Live,
    /// `pricectl diff OLD NEW`: two versions of the pricing, `old` standing in for the live
    /// catalog. Each is named as the user wrote it (`git:main`, `pricing.toml`).
    Versions { old: String, new: String },
}

/// The most bytes of a side's name the views show: a name is user input, and the Markdown
/// view keeps room of a fixed size for the notes that name the command.
const NAME_LIMIT: usize = 80;

impl Comparison {
    /// The command that shows the full plan, for "run … locally" notes.
    pub(crate) fn command(&self) -> String {
        match self {
            Comparison::Live => "pricectl plan".into(),
            Comparison::Versions { old, new } => {
                format!("pricectl diff {} {}", shorten(old), shorten(new))
            }
        }
    }

    /// The sides' names, shortened for display.
    pub(crate) fn sides(&self) -> Option<(String, String)> {
        match self {
            Comparison::Live => None,
            Comparison::Versions { old, new } => Some((shorten(old), shorten(new))),
        }
    }
}

/// At most [`NAME_LIMIT`] bytes, the end kept (paths and revisions differ at the end).
fn shorten(name: &str) -> String {
    if name.len() <= NAME_LIMIT {
        return name.to_string();
    }
    let ellipsis = "…";
    let mut start = name.len() - (NAME_LIMIT - ellipsis.len());
    while !name.is_char_boundary(start) {
        start += 1;
    }
    format!("{ellipsis}{}", &name[start..])
}

#[cfg(test)]
mod tests {
    use super::Comparison;

    #[test]
    fn names_are_shortened_from_the_start() {
        let comparison = Comparison::Versions {
            old: "git:main".into(),
            new: format!("{}/pricing.toml", "d".repeat(200)),
        };
        let (old, new) = comparison.sides().unwrap();
        assert_eq!(old, "git:main");
        assert!(new.len() <= 80, "{new}");
        assert!(new.starts_with('…') && new.ends_with("/pricing.toml"));
        assert_eq!(Comparison::Live.command(), "pricectl plan");
    }
}
