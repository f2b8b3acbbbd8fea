//! Whatever a server answers (any status, any headers the client reads, any body), every typed
//! call returns a value or an error: no panic, no hang, no endless paging.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../common/responses.rs");

fuzz_target!(|data: &[u8]| fuzz_responses(data));
