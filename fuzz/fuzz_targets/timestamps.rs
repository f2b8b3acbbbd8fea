//! RFC 3339 and HTTP-date parsing: never panic, and what parses prints back to the same instant.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../common/timestamps.rs");

fuzz_target!(|data: &[u8]| fuzz_timestamps(data));
