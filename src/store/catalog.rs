//! The catalog tables as the rest of pricectl reads them, and the catalog's revision.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;

use super::{Store, StoreError};
use crate::catalog::{Catalog, Plan};

/// Every version of every plan, by (plan id, version): a subscription is pinned to the
/// version it attached, whatever the plan's current version is now.
pub type PlanVersions = BTreeMap<(String, u32), Plan>;

/// What the catalog tables hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCatalog {
    /// The live catalog, each plan at its current version. `currency` is empty while nothing
    /// has been applied.
    pub catalog: Catalog,
    /// Plan id → its current version.
    pub current_versions: BTreeMap<String, u32>,
    /// Every version of every plan, the current ones included.
    pub versions: PlanVersions,
    /// The catalog revision these tables were read at (see [`Store::catalog_revision`]).
    pub revision: i64,
}

impl Store {
    /// Reads the catalog tables (in one read transaction when called outside one, so the
    /// tables and the revision agree).
    pub fn read_catalog(&self) -> Result<StoredCatalog, StoreError> {
        let connection = self.connection();
        let own_transaction = connection.is_autocommit();
        if own_transaction {
            connection
                .execute_batch("BEGIN DEFERRED")
                .map_err(|source| self.failed(source))?;
        }
        let read = self.read_catalog_tables();
        if own_transaction {
            // A read transaction: ending it cannot lose anything.
            let _ = connection.execute_batch("COMMIT");
        }
        read
    }

    fn read_catalog_tables(&self) -> Result<StoredCatalog, StoreError> {
        let connection = self.connection();
        let failed = |source| self.failed(source);
        let revision = self.catalog_revision()?;
        let mut catalog = Catalog {
            currency: self.currency()?,
            features: self.read_objects("SELECT id, definition FROM features")?,
            credit_systems: self.read_objects("SELECT id, definition FROM credit_systems")?,
            plans: BTreeMap::new(),
        };
        let mut current_versions = BTreeMap::new();
        let mut versions = PlanVersions::new();
        let mut statement = connection
            .prepare(
                "SELECT plan_versions.plan_id, plan_versions.version, plan_versions.definition, plans.current_version
                 FROM plan_versions JOIN plans ON plans.id = plan_versions.plan_id",
            )
            .map_err(failed)?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, u32>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, u32>(3)?,
                ))
            })
            .map_err(failed)?;
        for row in rows {
            let (plan_id, version, definition, current) = row.map_err(failed)?;
            let plan: Plan =
                self.parse(&definition, &format!("plan.{plan_id} version {version}"))?;
            if version == current {
                catalog.plans.insert(plan_id.clone(), plan.clone());
            }
            current_versions.insert(plan_id.clone(), current);
            versions.insert((plan_id, version), plan);
        }
        Ok(StoredCatalog {
            catalog,
            current_versions,
            versions,
            revision,
        })
    }

    /// The catalog's currency; empty while nothing has been applied.
    pub fn currency(&self) -> Result<String, StoreError> {
        let currency: Option<String> = self
            .connection()
            .prepare_cached("SELECT value FROM meta WHERE key = 'currency'")
            .and_then(|mut statement| statement.query_row([], |row| row.get(0)).optional())
            .map_err(|source| self.failed(source))?;
        Ok(currency.unwrap_or_default())
    }

    /// The catalog revision: a number every apply raises in the transaction that changes the
    /// catalog, so a long-lived reader (the ledger) knows with one cheap query whether what it
    /// read is still current. 0 before the first apply.
    pub fn catalog_revision(&self) -> Result<i64, StoreError> {
        catalog_revision(self.connection()).map_err(|source| self.failed(source))
    }

    fn read_objects<T: DeserializeOwned>(
        &self,
        query: &str,
    ) -> Result<BTreeMap<String, T>, StoreError> {
        let failed = |source| self.failed(source);
        let mut statement = self.connection().prepare(query).map_err(failed)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(failed)?;
        let mut objects = BTreeMap::new();
        for row in rows {
            let (id, definition) = row.map_err(failed)?;
            let object = self.parse(&definition, &id)?;
            objects.insert(id, object);
        }
        Ok(objects)
    }

    fn parse<T: DeserializeOwned>(&self, text: &str, what: &str) -> Result<T, StoreError> {
        serde_json::from_str(text).map_err(|error| StoreError::Corrupt {
            location: self.location(),
            what: format!("`{what}`"),
            detail: error.to_string(),
        })
    }
}

/// The catalog revision as a SQL expression (its text, NULL before the first apply), for a
/// query that reads it with other facts in one step (the ledger's `track`); read it with
/// [`revision_of`].
macro_rules! catalog_revision_sql {
    () => {
        "(SELECT value FROM meta WHERE key = 'catalog_revision')"
    };
}
pub(crate) use catalog_revision_sql;

/// [`Store::catalog_revision`] on a connection (or a transaction) of the store.
pub fn catalog_revision(connection: &Connection) -> rusqlite::Result<i64> {
    let revision: Option<String> = connection
        .prepare_cached(concat!("SELECT ", catalog_revision_sql!()))?
        .query_row([], |row| row.get(0))
        .optional()?
        .flatten();
    Ok(revision_of(revision.as_deref()))
}

/// The revision [`catalog_revision_sql`] reads: 0 before the first apply.
pub fn revision_of(value: Option<&str>) -> i64 {
    value.and_then(|text| text.parse().ok()).unwrap_or(0)
}

/// Raises the catalog revision; called in the transaction of every apply.
pub fn bump_catalog_revision(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO meta (key, value) VALUES ('catalog_revision', '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_revision_starts_at_zero_and_each_bump_raises_it() {
        let store = Store::open_in_memory().expect("store");
        assert_eq!(store.catalog_revision().expect("revision"), 0);
        bump_catalog_revision(store.connection()).expect("bump");
        bump_catalog_revision(store.connection()).expect("bump");
        assert_eq!(store.catalog_revision().expect("revision"), 2);
        assert_eq!(store.read_catalog().expect("catalog").revision, 2);
    }
}
