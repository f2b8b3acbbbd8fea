//! Integration tests: one binary, one module per area, against real HTTP servers on loopback.

mod support;

mod client;
#[cfg(feature = "emulator")]
mod emulator;
mod fuzz_regressions;
mod groups;
mod security;
