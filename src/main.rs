//! `git-cherry-pick-pr`: parse the command line, run, and turn the result into
//! output and an exit code.

mod apply;
mod cli;
mod errors;
mod gather;
mod git;
mod github;
mod output;
mod pick;
mod publish;
mod remote;
mod resume;
mod settings;
mod signals;
mod state;
mod text;
mod token;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::output::Output;
use crate::pick::Outcome;
use crate::resume::Action;
use crate::settings::Env;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = Env::from_process();
    let out = Output::new(cli.debug, env.get("NO_COLOR").is_some());
    match run(&cli, &env, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            out.error(&error);
            ExitCode::from(errors::kind_of(&error).exit_code())
        }
    }
}

fn run(cli: &Cli, env: &Env, out: &Output) -> anyhow::Result<()> {
    signals::install();
    let exe = git::find()?;
    let git = git::Git::new(&exe, out);
    let cwd = std::env::current_dir()?;
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
            resume::run(
                action,
                cli.args.first().map(String::as_str),
                cli.yes,
                env,
                git,
                out,
                &cwd,
            )?
        }
        None => {
            let settings = settings::resolve(cli, env, &git, &cwd)?;
            pick::run(&settings, env, git, out)?
        }
    };
    report(outcomes, out)
}

/// URLs (or dry-run branches) on stdout, in the order of the targets; the
/// first stop decides the exit code.
fn report(outcomes: Vec<Outcome>, out: &Output) -> anyhow::Result<()> {
    let mut stop = None;
    for outcome in outcomes {
        match outcome {
            Outcome::Published { url } => out.result(&url),
            Outcome::DryRun { branch } => out.result(&branch),
            Outcome::AlreadyPresent => {}
            Outcome::Stopped(error) => {
                stop.get_or_insert(error);
            }
        }
    }
    stop.map_or(Ok(()), Err)
}
