//! `fivetrex`: the Fivetran REST API from the shell (cargo feature `cli`).
//!
//! `fivetrex --help` lists the commands and the exit codes; `--emulator` runs any of them
//! against an in-process emulator with demo data.

mod args;
mod commands;
mod output;
mod progress;
mod tap;

use args::{Cli, Command};
use clap::{CommandFactory, Parser};
use fivetrex::{Client, Error, ErrorKind};
use output::{Column, Format, Out};
use progress::Ui;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

/// The documented exit codes (see `args::EXIT_CODES`).
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const SYNC_FAILED: u8 = 3;
    pub const TIMED_OUT: u8 = 4;
    pub const RESCHEDULED: u8 = 5;
    pub const PAUSED_OR_BROKEN: u8 = 6;
    pub const NOT_FOUND: u8 = 7;
    pub const UNAUTHORIZED: u8 = 8;
    pub const RATE_LIMITED: u8 = 9;
}

/// Why a command failed, with its exit code.
#[derive(Debug)]
pub enum Failure {
    Api(Error),
    Usage(String),
    Io(std::io::Error),
    /// The command ran and its result says failure (a sync that failed, ...); already reported.
    Code(u8),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Api(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

pub type Outcome = Result<(), Failure>;

pub fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

fn error_code(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::NotFound => exit::NOT_FOUND,
        ErrorKind::Unauthorized | ErrorKind::Forbidden => exit::UNAUTHORIZED,
        ErrorKind::RateLimited => exit::RATE_LIMITED,
        ErrorKind::InvalidArgument | ErrorKind::ConfirmationRequired | ErrorKind::Config => exit::USAGE,
        _ => exit::ERROR,
    }
}

/// `30s`, `30m`, `2h`, `1h30m`, `500ms`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration (try 30s, 30m, 2h, 1h30m, 500ms)");
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            "d" => Duration::from_secs(n.saturating_mul(86_400)),
            _ => return Err(bad()),
        };
        total = total.saturating_add(unit);
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// Everything a command needs.
pub struct Ctx {
    pub client: Client,
    pub out: Out,
    pub ui: Ui,
    pub page_size: Option<u32>,
    /// Whether this runs against `--emulator` (whose syncs take 200 ms: poll faster).
    pub emulated: bool,
    /// Keeps the `--emulator` alive for the command.
    _emulator: Option<fivetrex::emulator::Emulator>,
}

fn build(cli: &Cli, ui: &Ui) -> Result<(Client, Option<fivetrex::emulator::Emulator>), Failure> {
    let hook_ui = ui.clone();
    let on_retry = move |ev: &fivetrex::retry::RetryEvent<'_>| {
        if ev.error.kind() == ErrorKind::RateLimited {
            hook_ui.rate_limited(ev.delay);
        }
    };
    if cli.emulator {
        let emu = fivetrex::emulator::Emulator::builder().seed(3, 10).start()?;
        let client = emu.client_builder().on_retry(on_retry).build()?;
        return Ok((client, Some(emu)));
    }
    let mut b = Client::builder().user_agent(concat!("fivetrex-cli/", env!("CARGO_PKG_VERSION"))).on_retry(on_retry);
    match (&cli.api_key, &cli.api_secret) {
        (Some(k), Some(s)) if !k.is_empty() && !s.is_empty() => b = b.api_key(k.as_str()).api_secret(s.as_str()),
        _ => {
            return Err(usage(
                "no credentials: set FIVETRAN_API_KEY and FIVETRAN_API_SECRET (or --api-key/--api-secret), or use --emulator",
            ))
        }
    }
    if let Some(url) = cli.base_url.as_deref().filter(|u| !u.is_empty()) {
        b = b.base_url(url);
    }
    Ok((b.build()?, None))
}

fn run(cli: Cli, ui: Ui) -> Outcome {
    if let Command::Completions { shell } = &cli.command {
        let mut cmd = Cli::command();
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut cmd, "fivetrex", &mut script);
        std::io::Write::write_all(&mut std::io::stdout().lock(), &script)?;
        return Ok(());
    }
    let format = cli.output.unwrap_or(if std::io::stdout().is_terminal() { Format::Table } else { Format::Json });
    let columns = (!cli.columns.is_empty()).then(|| Column::parse_list(&cli.columns));
    let out = Out::new(format, columns, ui.clone());
    // `api --list` needs no credentials.
    if let Command::Api(a) = &cli.command {
        if a.list {
            let mut out = out;
            return commands::list_operations(&mut out);
        }
    }
    if matches!(cli.command, Command::Tap(_) | Command::Airbyte(_)) {
        return tap::run(cli);
    }
    let (client, emulator) = build(&cli, &ui)?;
    let mut ctx = Ctx { client, out, ui, page_size: cli.page_size, emulated: emulator.is_some(), _emulator: emulator };
    commands::dispatch(&mut ctx, cli.command)
}

fn main() -> ExitCode {
    progress::handle_ctrl_c();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    let ui = Ui::new(cli.quiet);
    if cli.verbose > 0 {
        let level = if cli.verbose == 1 { log::LevelFilter::Info } else { log::LevelFilter::Debug };
        let logger = progress::Logger { level, secret: cli.api_secret.clone(), ui: ui.clone() };
        if log::set_logger(Box::leak(Box::new(logger))).is_ok() {
            log::set_max_level(level);
        }
    }
    let result = run(cli, ui.clone());
    ui.clear();
    let code = match result {
        Ok(()) => exit::OK,
        Err(Failure::Code(c)) => c,
        Err(Failure::Usage(m)) => {
            eprintln!("error: {m}");
            exit::USAGE
        }
        Err(Failure::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            exit::ERROR
        }
        Err(Failure::Api(e)) => {
            eprintln!("error: {e}");
            error_code(&e)
        }
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        for bad in ["", "m", "3x", "1.5h", "h3"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
