//! Lists every group with its connections, then shows the page-level API.
//!
//! Run against the real API with `FIVETRAN_API_KEY` and `FIVETRAN_API_SECRET` set (read only), or
//! against any compatible server with `FIVETRAN_BASE_URL`:
//! `cargo run --example groups`

use fivetrex::{Client, ErrorKind};

fn main() -> Result<(), fivetrex::Error> {
    let client = match Client::from_env() {
        Ok(c) => c,
        Err(e) if e.kind() == ErrorKind::Config => {
            eprintln!("{e}\nset FIVETRAN_API_KEY and FIVETRAN_API_SECRET (or run `cargo run --example tour --features emulator`)");
            std::process::exit(2);
        }
        Err(e) => return Err(e),
    };

    for group in client.groups() {
        let group = group?;
        println!(
            "{} {} (created {})",
            group.id,
            group.name,
            group.created_at.map(|t| t.to_string()).unwrap_or_default()
        );
        for connection in client.group_connections(&group.id).page_size(100) {
            let c = connection?;
            println!("    {:<24} {:<16} paused={}", c.schema, c.service, c.paused);
        }
    }

    // Page by page, keeping the cursor to resume later.
    let mut list = client.groups().page_size(10);
    if let Some(page) = list.next_page() {
        let page = page?;
        println!("first page: {} groups, next cursor {:?}", page.items.len(), page.next_cursor);
    }
    let rl = client.rate_limit();
    println!("rate limit: {:?} of {:?} left", rl.remaining, rl.limit);
    Ok(())
}
