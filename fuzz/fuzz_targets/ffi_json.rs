//! The C ABI entry points that take JSON and strings: any bytes give a status, never a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../common/ffi_json.rs");

fuzz_target!(|data: &[u8]| fuzz_ffi_json(data));
