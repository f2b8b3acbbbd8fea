//! Measures how far past its time budget a call returns, against a loopback server that stalls
//! or keeps answering 503: `sync_and_wait` with `timeout(1 s)` and a plain call under a client
//! whose retry deadline is 1 s. Prints one line per case.
//!
//! ```text
//! cargo run --release --example overrun
//! ```

use fivetrex::{Client, RetryPolicy, WaitOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq)]
enum Fault {
    Stall,
    Unavailable,
}

const CONNECTION: &str = r#"{"code":"Success","data":{"id":"c1","group_id":"g1","service":"s","schema":"s","paused":false,"succeeded_at":"2024-01-01T00:00:00Z","failed_at":null,"status":{"setup_state":"connected","sync_state":"scheduled","update_state":"on_schedule","is_historical_sync":false,"tasks":[],"warnings":[]}}}"#;

/// Answers the first GET of the connection and the trigger, then stalls or answers 503.
fn serve(fault: Fault) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for stream in listener.incoming().flatten() {
            let served = served.clone();
            std::thread::spawn(move || handle(stream, fault, &served));
        }
    });
    format!("http://{addr}")
}

fn handle(stream: TcpStream, fault: Fault, served: &std::sync::atomic::AtomicUsize) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let request = line.clone();
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let answer = if request.starts_with("POST") {
            r#"{"code":"Success","message":"triggered"}"#.to_owned()
        } else if n == 0 && request.contains("/v1/connections/") {
            CONNECTION.to_owned()
        } else if fault == Fault::Stall {
            std::thread::sleep(Duration::from_secs(120));
            return;
        } else {
            let _ = writer.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
            continue;
        };
        let head =
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", answer.len());
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(answer.as_bytes());
    }
}

fn main() {
    let budget = Duration::from_secs(1);
    for (fault, name) in [(Fault::Stall, "stalling"), (Fault::Unavailable, "503")] {
        let client = Client::builder().api_key("k").api_secret("s").base_url(serve(fault)).build().unwrap();
        let opts = WaitOptions::new().poll_interval(Duration::from_millis(200)).timeout(budget);
        let t = Instant::now();
        let outcome = client.sync_and_wait("c1", &opts);
        let took = t.elapsed();
        println!(
            "sync_and_wait timeout(1 s), {name:8} server: returned after {:7.1} ms (overrun {:7.1} ms): {}",
            took.as_secs_f64() * 1e3,
            (took.saturating_sub(budget)).as_secs_f64() * 1e3,
            match &outcome {
                Ok(o) => o.as_str().to_owned(),
                Err(e) => format!("error {:?}", e.kind()),
            }
        );
        let client = Client::builder()
            .api_key("k")
            .api_secret("s")
            .base_url(serve(fault))
            .retry_policy(RetryPolicy::default().with_deadline(Some(budget)))
            .build()
            .unwrap();
        let _ = client.connection("c1");
        let t = Instant::now();
        let result = client.connection("c1");
        let took = t.elapsed();
        println!(
            "retry deadline 1 s,         {name:8} server: returned after {:7.1} ms (overrun {:7.1} ms): {}",
            took.as_secs_f64() * 1e3,
            (took.saturating_sub(budget)).as_secs_f64() * 1e3,
            match &result {
                Ok(_) => "ok".to_owned(),
                Err(e) => format!("error {:?}", e.kind()),
            }
        );
    }
}
