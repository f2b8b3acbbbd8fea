//! Placeholder; the tour is written once the connections API lands.
fn main() {}
