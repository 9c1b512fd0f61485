//! Integration tests: the real server on a random port, a fresh database per test, real
//! HTTP and WebSocket clients.

mod access;
mod admin;
mod backup;
mod bad_input;
mod chat;
mod claims;
mod communes;
mod deploy;
mod desk;
mod floods;
mod follow_up;
mod forwarding;
mod helpers;
mod history;
mod http;
mod i18n;
mod key_check;
mod keys;
mod logs;
mod metrics;
mod open_data;
mod overload;
mod protocol;
mod purge;
mod routing;
mod self_service;
mod setup;
mod shifts;
#[path = "../support/smtp.rs"]
mod smtp;
mod staff_security;
mod staffing;
mod statistics;
mod statistics_pages;
mod units;
mod wait;
mod wellbeing;
#[path = "../support/xml.rs"]
mod xml;
