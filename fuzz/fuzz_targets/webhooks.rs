//! Webhook deliveries: any secret, signature header and body is verified and parsed to a value
//! or an error, and only the genuine signature verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../common/webhooks.rs");

fuzz_target!(|data: &[u8]| fuzz_webhooks(data));
