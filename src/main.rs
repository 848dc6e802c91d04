//! `git-cherry-pick-pr`: parse the command line, run, and turn the result into
//! output and an exit code.

mod apply;
mod args;
mod cli;
mod config;
mod errors;
mod exec;
mod follow;
mod gather;
mod generate;
mod git;
mod github;
mod lock;
mod output;
mod pick;
mod publish;
mod remote;
mod resume;
mod settings;
mod signals;
mod state;
mod target;
mod text;
mod token;
mod touched;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::output::Output;
use crate::pick::{Outcome, Report};
use crate::resume::Action;
use crate::settings::Env;

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
                cli.yes,
                env,
                git,
                out,
                &located,
            )?
        }
        None => {
            // Usage errors first, wherever the command runs.
            args::split_args(&cli.args)?;
            let located = git::locate(&git, &cwd)?;
            let git = git.in_repo(located.repo());
            let _lock = lock::acquire(&located.common_dir, out)?;
            let settings = settings::resolve(cli, env, &git, &located)?;
            pick::run(&settings, env, git, out)?
        }
    };
    report(outcomes, out)
}

/// URLs (or dry-run branches) on stdout, in the order of the targets; the
/// errors of targets that stopped or failed, and with several targets a
/// summary, on stderr. Any failure makes the exit code 1, else any stop on
/// conflicts 3.
fn report(reports: Vec<Report>, out: &Output) -> anyhow::Result<()> {
    let several = reports.len() > 1;
    let mut worst: Option<anyhow::Error> = None;
    let mut summary = Vec::new();
    for Report { target, outcome } in reports {
        let (result, detail) = match outcome {
            Outcome::Published { url, existed } => {
                out.result(&url);
                (if existed { "already existed" } else { "opened" }, url)
            }
            Outcome::DryRun { branch } => {
                out.result(&branch);
                ("dry run", format!("local branch {branch}"))
            }
            Outcome::AlreadyPresent => ("already applied", "nothing to push".to_string()),
            Outcome::SkippedByHand => ("skipped by hand", "nothing to push".to_string()),
            Outcome::Stopped(error) | Outcome::Failed(error) => {
                let kind = errors::kind_of(&error);
                let line = error.to_string().lines().next().unwrap_or_default().to_string();
                let word = if kind == errors::Kind::Conflict {
                    "conflict"
                } else {
                    "failed"
                };
                if several || worst.is_some() {
                    out.error(&error);
                }
                let replace = match &worst {
                    None => true,
                    Some(w) => errors::kind_of(w) == errors::Kind::Conflict && kind != errors::Kind::Conflict,
                };
                if replace {
                    worst = Some(error);
                }
                (word, line)
            }
        };
        summary.push(format!("  {target:<24} {result:<16} {detail}"));
    }
    if several {
        out.note(&format!("Summary:\n{}", summary.join("\n")));
    }
    match worst {
        Some(error) if several => Err(errors::Failure::new(errors::kind_of(&error), "not every target is done").into()),
        Some(error) => Err(error),
        None => Ok(()),
    }
}
