//! The "Use it" program of README.md, kept here so that it compiles with every `cargo test`
//! (tests/it/readme.rs checks that the README shows exactly this file below this comment).
//! Runs against the API, or the emulator with `FIVETRAN_BASE_URL` set to its address:
//! `cargo run --example readme`.

use fivetrex::{Client, Confirm, ErrorKind};

fn main() -> Result<(), fivetrex::Error> {
    // FIVETRAN_API_KEY, FIVETRAN_API_SECRET, optional FIVETRAN_BASE_URL
    let client = Client::from_env()?;
    for group in client.groups() {
        let group = group?;
        for connection in client.group_connections(&group.id) {
            let connection = connection?;
            println!("{} / {} ({})", group.name, connection.schema, connection.service);
        }
    }
    // Destructive calls take a confirmation naming the action and its target.
    match client.delete_group("old_group", &Confirm::delete_group("old_group")) {
        Ok(_) => println!("deleted old_group"),
        Err(e) if e.kind() == ErrorKind::NotFound => println!("no group old_group"),
        Err(e) => return Err(e),
    }
    Ok(())
}
