//! Integration tests: one binary, one module per area, against real HTTP servers on loopback.

mod support;

mod agents;
mod certificates;
mod client;
mod client_messages;
mod conformance;
mod connections;
mod destinations;
#[cfg(feature = "emulator")]
mod emulator;
#[cfg(feature = "emulator")]
mod emulator_families;
mod esm;
mod examples;
mod fanout;
mod fuzz_regressions;
mod groups;
mod log_services;
mod metadata;
mod readme;
mod reliability;
mod request_bodies;
mod schemas;
mod security;
mod sync_wait;
mod system_keys;
mod teams;
mod transformations;
mod users;
mod webhooks;
