//! What the user asked for: the command line as clap parses it (`model`),
//! the positional arguments and what each may be (`args`), the settings
//! resolved once from flags, environment and git config (`settings`,
//! `config`), and the files generated from the model (`generate`). It may
//! use the git and GitHub edges and the shared floor (`text`, `output`,
//! `errors`), never the commands, the run or its stages.

pub mod args;
pub mod config;
pub mod generate;
mod model;
pub mod settings;

pub use model::*;
