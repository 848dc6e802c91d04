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
mod settings;
mod text;
mod token;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::output::Output;
use crate::pick::Outcome;
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
    let exe = git::find()?;
    let git = git::Git::new(&exe, out);
    let cwd = std::env::current_dir()?;
    let settings = settings::resolve(cli, env, &git, &cwd)?;
    for outcome in pick::run(&settings, env, git, out)? {
        match outcome {
            Outcome::Published { url } => out.result(&url),
            Outcome::DryRun { branch } => out.result(&branch),
            Outcome::AlreadyPresent => {}
        }
    }
    Ok(())
}
