//! Where the GitHub token comes from: `GITHUB_TOKEN`, then `GH_TOKEN`, then a
//! hidden prompt on the terminal. The value is never printed or logged.

use anyhow::Result;

use crate::errors::failed;
use crate::github::Token;
use crate::output::Output;
use crate::settings::Env;

/// Finds the token; `interactive` says whether stdin is a terminal.
pub fn find(env: &Env, out: &Output, interactive: bool) -> Result<Token> {
    for name in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Some(value) = env.get(name) {
            out.debug(|| format!("token: from {name}"));
            return Ok(Token::new(value.trim().to_string()));
        }
    }
    if interactive {
        out.debug(|| "token: from the terminal prompt".to_string());
        let value = out
            .secret("GitHub token (input hidden): ")
            .map_err(|e| failed(format!("could not read a token from the terminal: {e}")))?;
        if !value.trim().is_empty() {
            return Ok(Token::new(value.trim().to_string()));
        }
    }
    Err(failed("no GitHub token found")
        .hint("set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the repository and open pull requests")
        .hint("create one at https://github.com/settings/tokens (fine-grained: Contents read, Pull requests write)")
        .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_token_comes_first_then_gh_token() {
        let out = Output::new(false, true);
        let both: Env = [("GITHUB_TOKEN", "a"), ("GH_TOKEN", "b")].into_iter().collect();
        assert_eq!(find(&both, &out, false).unwrap().secret(), "a");
        let gh: Env = [("GITHUB_TOKEN", ""), ("GH_TOKEN", " b\n")].into_iter().collect();
        assert_eq!(find(&gh, &out, false).unwrap().secret(), "b");
        let none = Env::default();
        let err = find(&none, &out, false).unwrap_err();
        assert!(crate::errors::hints_of(&err).iter().any(|h| h.contains("GITHUB_TOKEN")));
    }
}
