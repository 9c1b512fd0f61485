//! Écoute's server: configuration, HTTP routes, WebSocket sessions, pages and assets.

pub mod app;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod charts;
pub mod cli;
pub mod codes;
pub mod config;
pub mod csv;
pub mod error;
pub mod forces;
pub mod http;
pub mod i18n;
pub mod keys;
#[cfg(test)]
mod layers;
pub mod metrics;
pub mod notify;
pub mod purge;
pub mod queue;
pub mod resources;
pub mod risk;
pub mod rotation;
pub mod routing;
pub mod service;
pub mod signing;
pub mod state;
pub mod wellbeing;
pub mod ws;
pub mod zone;

pub use app::Application;
pub use config::Config;
pub use state::AppState;
