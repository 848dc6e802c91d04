//! git config as the tool reads it: the `cherry-pick-pr.*` keys, the
//! remotes' URLs and `push.negotiate`, from one `git config -z --get-regexp`
//! call.

use anyhow::Result;

use crate::errors::failed;

/// git config values (`cherry-pick-pr.*`, `remote.*.url`, `push.negotiate`),
/// read in one call.
#[derive(Debug, Default)]
pub struct GitConfig {
    entries: Vec<(String, String)>,
}

impl GitConfig {
    /// Parses `git config -z --get-regexp` output: `key\nvalue\0` per entry.
    pub fn parse(text: &str) -> Self {
        let entries = text
            .split('\0')
            .filter(|e| !e.is_empty())
            .map(|e| match e.split_once('\n') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (e.to_string(), String::new()),
            })
            .collect();
        GitConfig { entries }
    }

    /// The last value of `cherry-pick-pr.<key>` (keys are case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.all(key).last().copied()
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        let full = format!("cherry-pick-pr.{}", key.to_ascii_lowercase());
        self.entries
            .iter()
            .filter(|(k, _)| *k == full)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The last value of git's own key `key` (a full name, lower case), such
    /// as `push.negotiate`.
    pub fn git_key(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "" | "true" | "yes" | "on" | "1" => Ok(Some(true)),
                "false" | "no" | "off" | "0" => Ok(Some(false)),
                _ => Err(failed(format!(
                    "git config cherry-pick-pr.{key} is `{v}`, which is not a boolean"
                ))
                .hint(format!("set it to true or false: git config cherry-pick-pr.{key} true"))
                .into()),
            },
        }
    }

    /// The remotes and their URLs, in config order.
    pub fn remotes(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("remote.")?.strip_suffix(".url")?;
                Some((name.to_string(), v.clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_config_output_is_parsed() {
        let config = GitConfig::parse(
            "cherry-pick-pr.label\nkind/bug\0cherry-pick-pr.label\nlgtm\0remote.my.fork.url\n/srv/a/b.git\0cherry-pick-pr.draft\0cherry-pick-pr.signoff\nno\0push.negotiate\nfalse\0",
        );
        assert_eq!(config.git_key("push.negotiate"), Some("false"));
        assert_eq!(config.git_key("push.default"), None);
        assert_eq!(config.all("label"), vec!["kind/bug", "lgtm"]);
        assert_eq!(config.get("Label"), Some("lgtm"));
        assert_eq!(
            config.remotes(),
            vec![("my.fork".to_string(), "/srv/a/b.git".to_string())]
        );
        assert_eq!(config.bool("draft").unwrap(), Some(true));
        assert_eq!(config.bool("signoff").unwrap(), Some(false));
        assert_eq!(config.bool("missing").unwrap(), None);
        let bad = GitConfig::parse("cherry-pick-pr.draft\nmaybe\0");
        assert!(bad.bool("draft").is_err());
    }
}
