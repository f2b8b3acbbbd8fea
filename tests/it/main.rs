//! Integration tests: one binary, one module per area, against real HTTP servers on loopback.

mod support;

mod certificates;
mod client;
mod connections;
mod destinations;
#[cfg(feature = "emulator")]
mod emulator;
mod fuzz_regressions;
mod groups;
mod schemas;
mod security;
mod sync_wait;
