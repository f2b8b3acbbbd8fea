// Shared by the fuzz target and the stable regression test (tests/it/fuzz_regressions.rs).
use fivetrex::transport::{HttpRequest, HttpResponse, Transport};
use fivetrex::{Client, RetryPolicy, TransportError};
use std::sync::Arc;

/// Answers every request with the same fuzzed response.
struct Fixed(HttpResponse);

impl Transport for Fixed {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        Ok(self.0.clone())
    }
}

/// One fuzz input.
pub fn fuzz_responses(data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let retry_after = match data[2] % 4 {
        0 => None,
        1 => Some("1".to_string()),
        2 => Some("Sun, 06 Nov 1994 08:49:37 GMT".to_string()),
        _ => Some(String::from_utf8_lossy(&data[3..data.len().min(12)]).into_owned()),
    };
    let mut headers = vec![("X-Rate-Limit".to_string(), "100".to_string())];
    if let Some(v) = retry_after {
        headers.push(("Retry-After".to_string(), v));
    }
    let response = HttpResponse { status, headers, body: data[3..].to_vec() };
    let clock = Arc::new(fivetrex::retry::ManualClock::new());
    let client = Client::builder()
        .api_key("k")
        .api_secret("s")
        .transport(Fixed(response))
        .clock(clock)
        .retry_policy(RetryPolicy::default().with_max_attempts(2))
        .build()
        .unwrap();
    let _ = client.group("g");
    // The same page every time: the walk must end on the repeated cursor, not loop.
    let _ = client.groups().take(10_000).count();
    let _ = client.group_connections("g").take(10_000).count();
    let _ = client.group_users("g").take(10_000).count();
    let _ = client.connections().take(10_000).count();
    let _ = client.destinations().take(10_000).count();
    if let Ok(c) = client.connection("c") {
        let _ = (c.is_syncing(), c.last_outcome(), format!("{c:?}"));
    }
    let _ = client.schema_config("c");
    let opts = fivetrex::sync::WaitOptions::default();
    let _ = client.sync_and_wait("c", &opts);
    let _ = client.raw(fivetrex::Method::Get, "/v1/x", &[], None);
    if let Ok(mut list) = client.raw_list("/v1/x", &[]) {
        let _ = list.next_page();
    }
    let _ = client.delete_group("g", &fivetrex::Confirm::delete_group("g"));
    let _ = client.group_public_key("g");
}
