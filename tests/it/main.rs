//! Integration tests: one binary, one module per area, against real HTTP servers on loopback.

mod support;

mod agents;
mod client;
mod conformance;
mod esm;
mod examples;
mod groups;
mod log_services;
mod metadata;
mod system_keys;
mod teams;
mod transformations;
mod users;
mod webhooks;
