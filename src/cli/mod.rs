//! What the user asked for: the command line as clap parses it (`model`),
//! the mode it asks for and its positional arguments, parsed once (`args`),
//! the settings resolved once from flags, environment and git config
//! (`settings`, `config`) into the options a run carries to its end
//! (`options`), and the files generated from the model (`generate`). It may
//! use the git and GitHub edges and the shared floor (`text`, `output`,
//! `errors`), never the commands, the run or its stages.

pub mod args;
pub mod config;
pub mod generate;
mod model;
pub mod options;
pub mod session;
pub mod settings;

pub use model::*;
