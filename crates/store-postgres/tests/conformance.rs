//! The shared storage story, told by the PostgreSQL backend: each test on a schema of its own
//! on the server named by `ECOUTE_TEST_POSTGRES_URL` (default: the local test database).

mod common;

use common::fresh;

ecoute_store::conformance_tests!(std::sync::Arc::new(fresh().await));
