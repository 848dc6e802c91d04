//! What every command of one invocation shares, handed on as one value:
//! the environment captured at start, git (addressing the user's
//! repository), the output, and where the repository is.

use std::collections::HashMap;

use crate::git::{Git, Located};
use crate::output::Output;

/// The environment variables the tool reads, captured once by `main`.
#[derive(Debug, Default, Clone)]
pub struct Env(HashMap<String, String>);

impl Env {
    pub fn from_process() -> Self {
        Env(std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect())
    }

    /// A variable's value; an empty value counts as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Env {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Env(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

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
