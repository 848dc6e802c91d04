//! What every command of one invocation shares, handed on as one value:
//! the environment captured at start, git (addressing the user's
//! repository), the output, and where the repository is.

use crate::env::Env;
use crate::git::{Git, Located};
use crate::output::Output;

/// One invocation in a located repository: what every command is handed.
#[derive(Clone, Copy)]
pub struct Session<'a> {
    pub env: &'a Env,
    /// git, addressing the user's repository.
    pub git: Git<'a>,
    pub out: &'a Output,
    /// Where the user's repository is.
    pub located: &'a Located,
}
