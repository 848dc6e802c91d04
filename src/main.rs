//! `git-cherry-pick-pr`: parse the command line, run, and turn the result into
//! output and an exit code.

mod cli;
mod commands;
mod env;
mod errors;
mod git;
mod github;
mod output;
mod plan;
mod run;
mod safe;
mod signals;
mod stages;
mod text;

use std::process::ExitCode;

use crate::cli::args::Mode;
use crate::cli::session::Session;
use crate::cli::{Cli, generate, settings};
use crate::commands::{event, missing, pick, resume};
use crate::env::Env;
use crate::output::Output;
use crate::run::lock;

fn main() -> ExitCode {
    let cli = Cli::from_process();
    let mode = Mode::of(&cli);
    if let Ok(Mode::Generate(kind)) = mode {
        // Before any repository or token check.
        return match std::io::Write::write_all(&mut std::io::stdout(), &generate::generate(kind)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let env = Env::from_process();
    let out = Output::new(cli.debug, env.get("NO_COLOR").is_some());
    let result = mode.and_then(|mode| run(&cli, &mode, &env, &out));
    out.debug(|| format!("peak memory of this process: {}", peak_memory()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            out.error(&error);
            ExitCode::from(errors::kind_of(&error).exit_code())
        }
    }
}

/// The process's own peak resident memory (Linux's `VmHWM`, without git's),
/// for --debug; "unknown" elsewhere.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Runs `mode` (any but `Generate`) in the repository the tool is run in.
fn run(cli: &Cli, mode: &Mode, env: &Env, out: &Output) -> anyhow::Result<()> {
    signals::install();
    let exe = git::find()?;
    let git = git::Git::new(&exe, out);
    let cwd = std::env::current_dir()?;
    let format = if cli.json {
        run::report::Format::Json
    } else {
        run::report::Format::Text
    };
    let located = git::locate(&git, &cwd)?;
    let session = Session {
        env,
        git: git.in_repo(located.repo()),
        out,
        located: &located,
    };
    // `--status` and `--missing` change nothing but remote-tracking refs: no lock.
    let _lock = match mode {
        Mode::Generate(_) | Mode::Status { .. } | Mode::Missing { .. } => None,
        _ => Some(lock::acquire(&located.common_dir, out)?),
    };
    let resume = resume::Flags {
        edit: cli.edit,
        yes: cli.yes,
        force: cli.force,
    };
    let outcomes = match mode {
        Mode::Generate(_) => unreachable!("`main` prints generated files before anything else"),
        Mode::Continue { target } => resume::resume(&session, target.as_deref(), resume)?,
        Mode::Abort { target } => resume::abort_run(&session, target.as_deref())?,
        Mode::Status { target } => resume::status_run(&session, target.as_deref())?,
        Mode::Missing { .. } => {
            let settings = settings::resolve(cli, mode, &session)?;
            return missing::run(&session, &settings, format);
        }
        // It reports its jobs itself: after its outputs, before its comment's failure.
        Mode::Event => return event::run(cli, &session, format),
        Mode::Pick { .. } => {
            let settings = settings::resolve(cli, mode, &session)?;
            pick::run(&session, &settings, &settings.jobs)?
        }
    };
    run::report::report(outcomes, out, format)
}
