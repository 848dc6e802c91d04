//! The stages a backport goes through, in the order it meets them: gather
//! what GitHub and git know (`gather`, `candidates`, `fork`), check it
//! (`verify`), apply it in a worktree (`touched`, `apply`), change it
//! (`exec`, `edit`), say what was resolved by hand (`disclose`), make sure
//! nobody's commits are pushed away (`overwrite`), then publish (`publish`)
//! and follow through (`follow`). A stage uses the settings and the git and
//! GitHub edges; it never reaches up into the run or a command.

pub mod apply;
pub mod candidates;
pub mod disclose;
pub mod edit;
pub mod exec;
pub mod follow;
pub mod fork;
pub mod gather;
pub mod landed;
pub mod overwrite;
pub mod prereq;
pub mod publish;
pub mod reuse;
pub mod touched;
pub mod verify;
