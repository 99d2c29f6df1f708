//! Whether a `SQLite` file is a pricectl store, decided from its header and table names alone,
//! so a file that is not one is refused before anything is written to it.

use rusqlite::Connection;

/// `PRAGMA application_id` of a pricectl store ("PRCT"), set by the first command that
/// writes to it. Stores written before it was set are known by their tables.
pub const APPLICATION_ID: i64 = 0x5052_4354;

/// The tables every pricectl store has had since its first schema version.
const FIRST_TABLES: &[&str] = &[
    "meta",
    "features",
    "credit_systems",
    "plans",
    "plan_versions",
    "customers",
    "subscriptions",
];

/// What a database file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// No tables, no version: a new file, for a command that creates the store to fill.
    Empty,
    /// A pricectl store at this schema version.
    Pricectl { schema: i64 },
    /// Something else, and why it is not a store.
    Foreign(String),
}

/// Reads the header and the table names. Fails with `SQLITE_NOTADB` for a file that is not a
/// `SQLite` database at all.
pub fn identify(connection: &Connection) -> rusqlite::Result<Identity> {
    let application_id: i64 =
        connection.query_row("PRAGMA application_id", [], |row| row.get(0))?;
    let schema: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(classify(application_id, schema, &tables))
}

fn classify(application_id: i64, schema: i64, tables: &[String]) -> Identity {
    if application_id == APPLICATION_ID {
        return Identity::Pricectl { schema };
    }
    if application_id != 0 {
        return Identity::Foreign(format!(
            "it belongs to another application (application id {application_id:#x})"
        ));
    }
    if tables.is_empty() && schema == 0 {
        return Identity::Empty;
    }
    let has_first_tables = FIRST_TABLES
        .iter()
        .all(|table| tables.iter().any(|name| name == table));
    if schema >= 1 && has_first_tables {
        Identity::Pricectl { schema }
    } else {
        Identity::Foreign("it holds tables pricectl did not create".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_are_known_by_application_id_or_by_their_tables() {
        let ours: Vec<String> = FIRST_TABLES.iter().map(ToString::to_string).collect();
        let other = vec!["t".to_string()];
        let cases = [
            (APPLICATION_ID, 2, vec![], Identity::Pricectl { schema: 2 }),
            (0, 2, ours.clone(), Identity::Pricectl { schema: 2 }),
            (0, 0, vec![], Identity::Empty),
            (
                0,
                0,
                ours,
                Identity::Foreign("it holds tables pricectl did not create".into()),
            ),
            (
                0,
                0,
                other.clone(),
                Identity::Foreign("it holds tables pricectl did not create".into()),
            ),
            (
                0,
                7,
                other,
                Identity::Foreign("it holds tables pricectl did not create".into()),
            ),
            (
                1,
                0,
                vec![],
                Identity::Foreign("it belongs to another application (application id 0x1)".into()),
            ),
        ];
        for (application_id, schema, tables, expected) in cases {
            assert_eq!(
                classify(application_id, schema, &tables),
                expected,
                "{application_id} {schema} {tables:?}"
            );
        }
    }
}
