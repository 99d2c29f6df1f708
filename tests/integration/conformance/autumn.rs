//! The conformance suite on the Autumn backend, against `pricectl serve` started by the test
//! on a free loopback port: every request goes over HTTP through Autumn's wire shapes, and
//! customers are put on plans with Autumn's own `billing.attach`. The suite runs twice: with
//! the backend applying in bulk through `catalog.update` (the default), and change by change.

use pricectl::backend::autumn::{ApiUrl, AutumnBackend, SecretKey};
use pricectl::backend::{ApplyMode, Backend};

use super::{System, conformance_suite};
use crate::serve::server::{KEY, Server};
use crate::support::TestContext;

struct AutumnSystem {
    backend: AutumnBackend,
    server: Server,
    _context: TestContext,
}

impl AutumnSystem {
    fn new(mode: ApplyMode) -> Self {
        let context = TestContext::new();
        let server = Server::start(&context);
        let url = ApiUrl::parse(&format!("http://{}", server.address)).expect("a loopback URL");
        let key = SecretKey::new(KEY).expect("a key");
        let backend = AutumnBackend::new(url, key)
            .expect("the backend opens")
            .with_apply_mode(mode);
        Self {
            backend,
            server,
            _context: context,
        }
    }
}

impl System for AutumnSystem {
    fn backend(&mut self) -> &mut dyn Backend {
        &mut self.backend
    }

    fn subscribe(&mut self, customer: &str, plan: &str) {
        let created = self.server.post(
            "customers.get_or_create",
            &format!(r#"{{"customer_id":"{customer}"}}"#),
        );
        assert_eq!(created.status, 200, "{}", created.body);
        let attached = self.server.post(
            "billing.attach",
            &format!(r#"{{"customer_id":"{customer}","plan_id":"{plan}"}}"#),
        );
        assert_eq!(attached.status, 200, "{}", attached.body);
    }
}

/// Runs of creates and updates in one `catalog.update` each.
mod bulk {
    use super::{AutumnSystem, conformance_suite};
    use pricectl::backend::ApplyMode;

    conformance_suite!(|| AutumnSystem::new(ApplyMode::Bulk));
}

/// Every change through its own endpoint.
mod per_object {
    use super::{AutumnSystem, conformance_suite};
    use pricectl::backend::ApplyMode;

    conformance_suite!(|| AutumnSystem::new(ApplyMode::PerObject));
}
