//! Several nodes: separate `ecoute` processes on one PostgreSQL database and one NATS server
//! (or one node on SQLite), killed and restarted while clients talk to them.
//!
//! Needs PostgreSQL (`ECOUTE_TEST_POSTGRES_URL`, default postgres://postgres@127.0.0.1:5432/test,
//! where each test creates a database of its own) and NATS (`ECOUTE_TEST_NATS_URL`, default
//! nats://127.0.0.1:4222, where each test uses a subject prefix of its own).

mod cluster;
mod forwarding;
mod harness;
mod keys;
mod nginx;
mod resilience;
mod talk;
