//! Integration tests: one binary, one module per area, against real HTTP servers on loopback.

mod support;

mod client;
mod groups;
mod teams;
mod users;
mod webhooks;
