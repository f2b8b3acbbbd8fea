//! The Fivetran emulator as a process, for the C, Go and Elixir test suites and for benchmarks.
//!
//! `cargo run --example emulator --features emulator -- --port 0 --groups 3 --connections-per-group 5`
//!
//! The first line on stdout is `listening on http://HOST:PORT`. It serves until stdin reaches end
//! of file (or, with `--ignore-stdin`, until killed). Steer it over HTTP with the `/__emulator/`
//! endpoints described in the `fivetrex::emulator` docs.

use fivetrex::emulator::cli::{self, Command};
use std::io::{Read, Write};

fn main() {
    let options = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run(o)) => o,
        Ok(_) => {
            println!("{}", cli::USAGE);
            return;
        }
        Err(e) => {
            eprintln!("emulator: {e}");
            std::process::exit(2);
        }
    };
    let emulator = match options.builder().start() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("emulator: {e}");
            std::process::exit(1);
        }
    };
    let mut out = std::io::stdout().lock();
    // The first line is the contract with the host test suites: keep its form.
    let _ = writeln!(out, "listening on {}", emulator.base_url());
    let _ = out.flush();
    drop(out);
    eprintln!(
        "emulator: {} groups x {} connections seeded in {:.1} ms; key {:?}; control endpoints under {}/__emulator/",
        options.groups,
        options.connections_per_group,
        emulator.seeded_in().as_secs_f64() * 1000.0,
        emulator.key(),
        emulator.base_url(),
    );
    if options.exit_on_stdin_eof {
        let mut sink = [0u8; 4096];
        let mut stdin = std::io::stdin().lock();
        loop {
            match stdin.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    } else {
        loop {
            std::thread::park();
        }
    }
    emulator.stop();
}
