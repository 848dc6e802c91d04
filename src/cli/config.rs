//! git config as the tool reads it: the `cherry-pick-pr.*` keys, the
//! remotes' URLs and `push.negotiate`, from one `git config -z --get-regexp`
//! call; and under them the project's own settings, the `.cherry-pick-pr`
//! file on the upstream's default branch, of which only the keys in
//! `PROJECT_KEYS` count.

use anyhow::Result;

use crate::errors::failed;

/// The file in which a project sets its policy, on its default branch.
pub const PROJECT_FILE: &str = ".cherry-pick-pr";

/// The keys the project's file may set: how the pull request looks and
/// what follows it. Never a command to run (`exec`), nor anything that
/// chooses where requests or pushes go (API URL, remotes, user, repository),
/// nor a token: the file is content that others write.
pub const PROJECT_KEYS: &[&str] = &[
    "label",
    "candidateLabel",
    "milestone",
    "copyLabels",
    "draft",
    "signoff",
    "pick",
    "recordOrigin",
    "reviewersFromSource",
    "commentSource",
    "assignAuthor",
    "conflictLabel",
    "allowedAssociations",
    "titleTemplate",
    "bodyTemplate",
    "docLink",
    "autoMerge",
    "doneLabel",
];

/// git config values (`cherry-pick-pr.*`, `remote.*.url`, `push.negotiate`),
/// read in one call, over the project's settings.
#[derive(Debug, Default)]
pub struct GitConfig {
    entries: Vec<(String, String)>,
    /// The project's file: the keys of `PROJECT_KEYS` it sets, and what to
    /// call it (`.cherry-pick-pr on upstream/master`).
    project: Vec<(String, String)>,
    project_name: String,
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
        GitConfig {
            entries,
            ..GitConfig::default()
        }
    }

    /// Puts the project's file (`text` as `git config -z --list` prints it,
    /// called `name`) under the user's git config, which wins key by key.
    /// Returns the keys it sets that it may not, which are left out.
    pub fn with_project(&mut self, name: &str, text: &str) -> Vec<String> {
        let allowed: Vec<String> = PROJECT_KEYS
            .iter()
            .map(|k| format!("cherry-pick-pr.{}", k.to_ascii_lowercase()))
            .collect();
        let mut ignored: Vec<String> = Vec::new();
        for (key, value) in GitConfig::parse(text).entries {
            if allowed.contains(&key) {
                self.project.push((key, value));
            } else if !ignored.contains(&key) {
                ignored.push(key);
            }
        }
        self.project_name = name.to_string();
        ignored
    }

    /// The last value of `cherry-pick-pr.<key>` (keys are case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.all(key).last().copied()
    }

    /// Every value of `cherry-pick-pr.<key>`: the user's git config's, else
    /// the project's file's.
    pub fn all(&self, key: &str) -> Vec<&str> {
        let full = format!("cherry-pick-pr.{}", key.to_ascii_lowercase());
        let users = values(&self.entries, &full);
        if users.is_empty() {
            values(&self.project, &full)
        } else {
            users
        }
    }

    /// Where `cherry-pick-pr.<key>` comes from, for `--debug` and messages:
    /// `git config cherry-pick-pr.label`, or the project's file.
    pub fn source(&self, key: &str) -> String {
        let full = format!("cherry-pick-pr.{}", key.to_ascii_lowercase());
        let users = self.entries.iter().any(|(k, _)| *k == full);
        if !users && self.project.iter().any(|(k, _)| *k == full) {
            format!("cherry-pick-pr.{key} in {}", self.project_name)
        } else {
            format!("git config cherry-pick-pr.{key}")
        }
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
                    "{} is `{}`, which is not a boolean",
                    self.source(key),
                    crate::safe::one_line(v)
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

/// The values of the key `full` among `entries`, in order.
fn values<'e>(entries: &'e [(String, String)], full: &str) -> Vec<&'e str> {
    entries
        .iter()
        .filter(|(k, _)| k == full)
        .map(|(_, v)| v.as_str())
        .collect()
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

    #[test]
    fn the_users_git_config_wins_over_the_projects_file_key_by_key() {
        let mut config = GitConfig::parse("cherry-pick-pr.label\nmine\0cherry-pick-pr.upstream\nup\0");
        let ignored = config.with_project(
            ".cherry-pick-pr on upstream/master",
            "cherry-pick-pr.label\ntheirs\0cherry-pick-pr.candidatelabel\nbackport/{branch}\0cherry-pick-pr.exec\nrm -rf /\0cherry-pick-pr.apiurl\nhttps://evil\0cherry-pick-pr.exec\nx\0core.sshcommand\nx\0cherry-pick-pr.draft\ntrue\0",
        );
        assert_eq!(
            ignored,
            ["cherry-pick-pr.exec", "cherry-pick-pr.apiurl", "core.sshcommand"]
        );
        assert_eq!(config.all("label"), ["mine"]);
        assert_eq!(config.source("label"), "git config cherry-pick-pr.label");
        assert_eq!(config.all("candidateLabel"), ["backport/{branch}"]);
        assert_eq!(
            config.source("candidateLabel"),
            "cherry-pick-pr.candidateLabel in .cherry-pick-pr on upstream/master"
        );
        assert_eq!(config.get("exec"), None);
        assert_eq!(config.get("apiUrl"), None);
        assert_eq!(config.bool("draft").unwrap(), Some(true));
        assert_eq!(config.get("upstream"), Some("up"));
        assert_eq!(config.source("milestone"), "git config cherry-pick-pr.milestone");
    }
}
