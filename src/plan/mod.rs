//! The run as data, shared by the run that drives it and the stages that
//! read it: the `Plan` decided before anything changes, each job's state and
//! the saved state file (`state`), how a job ended (`ended`) and what to do
//! next when it stopped (`next`, the one author of those hints). It sits
//! below the stages and above the settings: it may use the settings, the git
//! and GitHub edges and the shared floor, never the stages, the run or a
//! command.

pub mod ended;
pub mod next;
pub mod state;
