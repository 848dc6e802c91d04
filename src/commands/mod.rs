//! One file per mode the tool runs in: a backport (`pick`), what to do with
//! one that stopped (`resume`: `--continue`, `--abort`, `--status`), the
//! release manager's view (`missing`, `choose`) and the GitHub Actions step
//! (`event`, and `backported` for the cherry picks it opened). A command may use everything below it: the run, the stages,
//! the settings and the edges to git and GitHub; no command uses another's
//! insides but through its public functions.

pub mod backported;
pub mod choose;
pub mod event;
pub mod missing;
pub mod pick;
pub mod resume;
