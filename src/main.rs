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

use clap::Parser;

use crate::cli::{Cli, args, generate, settings};
use crate::commands::resume::{self, Action};
use crate::commands::{event, missing, pick};
use crate::env::Env;
use crate::output::Output;
use crate::run::lock;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(kind) = cli.generate {
        // Before any repository or token check.
        use std::io::Write;
        return match std::io::stdout().write_all(&generate::generate(kind)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let env = Env::from_process();
    let out = Output::new(cli.debug, env.get("NO_COLOR").is_some());
    let result = run(&cli, &env, &out);
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

fn run(cli: &Cli, env: &Env, out: &Output) -> anyhow::Result<()> {
    signals::install();
    let exe = git::find()?;
    let git = git::Git::new(&exe, out);
    let cwd = std::env::current_dir()?;
    let format = if cli.json {
        run::report::Format::Json
    } else {
        run::report::Format::Text
    };
    let action = [
        (cli.resume, Action::Continue),
        (cli.abort, Action::Abort),
        (cli.status, Action::Status),
    ]
    .into_iter()
    .find_map(|(set, action)| set.then_some(action));
    let outcomes = match action {
        Some(action) => {
            if cli.args.len() > 1 {
                return Err(errors::usage("--continue, --abort and --status take at most one target").into());
            }
            let located = git::locate(&git, &cwd)?;
            let git = git.in_repo(located.repo());
            let _lock = match action {
                Action::Status => None,
                Action::Continue | Action::Abort => Some(lock::acquire(&located.common_dir, out)?),
            };
            resume::run(
                action,
                cli.args.first().map(String::as_str),
                resume::Flags {
                    yes: cli.yes,
                    edit: cli.edit,
                    force: cli.force,
                },
                env,
                git,
                out,
                &located,
            )?
        }
        None => {
            // Usage errors first, wherever the command runs.
            let selection = args::Selection::of(cli);
            args::positionals(selection, &cli.args)?;
            let located = git::locate(&git, &cwd)?;
            let git = git.in_repo(located.repo());
            if selection == args::Selection::Missing {
                // It changes nothing but remote-tracking refs: no lock.
                let settings = settings::resolve(cli, env, &git, &located)?;
                return missing::run(&settings, env, &git, out, format);
            }
            let _lock = lock::acquire(&located.common_dir, out)?;
            if selection == args::Selection::Event {
                // It reports its jobs itself: after its outputs, before its comment's failure.
                return event::run(cli, env, git, out, &located, format);
            } else {
                let settings = settings::resolve(cli, env, &git, &located)?;
                pick::run(&settings, env, git, out)?
            }
        }
    };
    run::report::report(outcomes, out, format)
}
