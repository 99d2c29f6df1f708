//! The conformance suite on the Autumn backend, against `pricectl serve` started by the test
//! on a free loopback port: every request goes over HTTP through Autumn's wire shapes, and
//! customers are put on plans with Autumn's own `billing.attach`.

use pricectl::backend::Backend;
use pricectl::backend::autumn::{ApiUrl, AutumnBackend, SecretKey};

use super::{System, conformance_suite};
use crate::serve::server::{KEY, Server};
use crate::support::TestContext;

struct AutumnSystem {
    backend: AutumnBackend,
    server: Server,
    _context: TestContext,
}

impl AutumnSystem {
    fn new() -> Self {
        let context = TestContext::new();
        let server = Server::start(&context);
        let url = ApiUrl::parse(&format!("http://{}", server.address)).expect("a loopback URL");
        let key = SecretKey::new(KEY).expect("a key");
        let backend = AutumnBackend::new(url, key).expect("the backend opens");
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

conformance_suite!(AutumnSystem::new);
