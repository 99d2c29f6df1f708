//! The catalog the ledger runs on: read from the store when the ledger opens, and read again
//! whenever an apply has moved the store's catalog revision since, so a ledger that stays
//! open (a server's) sees new plans, new plan versions and changed credit costs.

use super::error::LedgerError;
use crate::catalog::{Catalog, Currency};
use crate::store::{PlanVersions, Store, catalog_revision};

/// The live catalog with every plan version, as of one catalog revision.
pub struct LedgerCatalog {
    /// Each plan at its current version: what a new attach gets.
    pub catalog: Catalog,
    /// Every version of every plan: what a subscription pinned to a version gets.
    pub versions: PlanVersions,
    pub currency: &'static Currency,
    revision: i64,
}

impl LedgerCatalog {
    /// Reads the catalog; a store where nothing was applied has none to run on.
    pub fn load(store: &Store) -> Result<LedgerCatalog, LedgerError> {
        let stored = store.read_catalog()?;
        if stored.catalog.currency.is_empty() {
            return Err(LedgerError::NoCatalog);
        }
        let currency = Currency::from_code(&stored.catalog.currency).ok_or_else(|| {
            LedgerError::Corrupt(format!("unknown currency `{}`", stored.catalog.currency))
        })?;
        Ok(LedgerCatalog {
            catalog: stored.catalog,
            versions: stored.versions,
            currency,
            revision: stored.revision,
        })
    }

    /// Reads the catalog again if an apply moved the revision since it was read: one
    /// primary-key lookup when nothing changed (the common case, on every operation). Called
    /// inside an operation's transaction, the catalog read is the one the operation sees.
    pub fn refresh(&mut self, store: &Store) -> Result<&LedgerCatalog, LedgerError> {
        let revision = catalog_revision(store.connection())?;
        self.refresh_to(store, revision)
    }

    /// [`LedgerCatalog::refresh`] with the revision already read (`track` reads it in the
    /// query it makes anyway, so its hot path pays no statement for it).
    pub fn refresh_to(
        &mut self,
        store: &Store,
        revision: i64,
    ) -> Result<&LedgerCatalog, LedgerError> {
        if revision != self.revision {
            *self = LedgerCatalog::load(store)?;
        }
        Ok(self)
    }
}
