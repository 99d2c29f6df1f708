//! The conformance suite on the embedded store: a store file in a temporary directory, with
//! customers put on plans through the credit ledger.

use std::path::PathBuf;

use pricectl::backend::Backend;
use pricectl::backend::local::LocalStore;
use pricectl::ledger::{AttachRequest, Instant, Ledger};

use super::{System, conformance_suite};

struct LocalSystem {
    _directory: tempfile::TempDir,
    path: PathBuf,
    store: LocalStore,
}

impl LocalSystem {
    fn new() -> Self {
        let directory = tempfile::tempdir().expect("a temp dir");
        let path = directory.path().join("local.db");
        let store = LocalStore::open(&path).expect("the store opens");
        Self {
            _directory: directory,
            path,
            store,
        }
    }
}

impl System for LocalSystem {
    fn backend(&mut self) -> &mut dyn Backend {
        &mut self.store
    }

    fn subscribe(&mut self, customer: &str, plan: &str) {
        let mut ledger = Ledger::open(&self.path).expect("the ledger opens");
        let now = Instant::now();
        ledger.ensure_customer(customer, now).expect("a customer");
        let request = AttachRequest {
            customer_id: customer.into(),
            plan_id: plan.into(),
            quantities: std::collections::BTreeMap::new(),
            idempotency_key: None,
        };
        ledger.attach(&request, now).expect("attached");
    }
}

conformance_suite!(LocalSystem::new);
