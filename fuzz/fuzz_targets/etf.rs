//! The Erlang term format bridge of the C ABI: any bytes as ETF decode or are refused; any JSON
//! encodes to ETF and back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../common/etf.rs");

fuzz_target!(|data: &[u8]| fuzz_etf(data));
