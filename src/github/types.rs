//! The requests and answers of the GitHub REST API that the tool uses, as
//! typed values, and the token, whose value is never displayed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A GitHub token. Its value is never displayed.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(value: String) -> Self {
        Token(value)
    }

    /// The value, for the Authorization header and nothing else.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<hidden>)")
    }
}

/// A repository on GitHub; saved as `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl From<Repo> for String {
    fn from(repo: Repo) -> String {
        repo.to_string()
    }
}

impl TryFrom<String> for Repo {
    type Error = String;

    fn try_from(slug: String) -> Result<Repo, String> {
        match slug.split_once('/') {
            Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => Ok(Repo {
                owner: owner.to_string(),
                name: name.to_string(),
            }),
            _ => Err(format!("`{slug}` is not OWNER/NAME")),
        }
    }
}

impl fmt::Display for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GitRef {
    #[serde(rename = "ref")]
    pub name: String,
    /// The commit; the head's is the last commit of the pull request, the
    /// base's the tip of the branch it was compared with.
    #[serde(default)]
    pub sha: String,
}

/// The fields of a pull request the tool uses.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    /// Its GraphQL node, to name it in a mutation; `None` when it came from
    /// a GraphQL query, which does not ask for it.
    #[serde(default)]
    pub node_id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    /// Missing or `null` when GitHub (or what answered for it) did not say.
    #[serde(default)]
    pub merged: Option<bool>,
    #[serde(default)]
    pub merged_at: Option<String>,
    /// How many commits the pull request has, merges included.
    #[serde(default)]
    pub commits: Option<u64>,
    pub html_url: String,
    #[serde(default)]
    pub user: Option<User>,
    pub head: GitRef,
    pub base: Option<GitRef>,
    #[serde(default)]
    pub labels: Vec<Label>,
    /// The commit the merge made on the base branch: a merge commit, the
    /// squashed commit, or the last rebased one.
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
    /// `open` or `closed`.
    #[serde(default)]
    pub state: Option<String>,
    /// How its author is related to the repository: `OWNER`, `MEMBER`,
    /// `COLLABORATOR` may write to it; `CONTRIBUTOR`, `NONE` and the rest
    /// may not.
    #[serde(default)]
    pub author_association: Option<String>,
}

impl PullRequest {
    /// Whether it is merged: `merged`, else whether it has a `merged_at`;
    /// `None` when the answer says neither.
    pub fn is_merged(&self) -> Option<bool> {
        self.merged.or_else(|| self.merged_at.as_ref().map(|_| true))
    }
}

/// `GET /repos/{o}/{n}`: the fields the tool uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Repository {
    pub default_branch: String,
}

/// One page of `GET /search/issues`.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchPage {
    #[serde(default)]
    pub incomplete_results: bool,
    pub items: Vec<FoundIssue>,
}

/// A pull request as the search API describes it (as an issue).
#[derive(Debug, Clone, Deserialize)]
pub struct FoundIssue {
    pub number: u64,
    pub title: String,
    pub html_url: String,
    #[serde(default)]
    pub user: Option<User>,
    /// Present for pull requests.
    #[serde(default)]
    pub pull_request: Option<FoundPull>,
}

/// The `pull_request` part of a search result.
#[derive(Debug, Clone, Deserialize)]
pub struct FoundPull {
    #[serde(default)]
    pub merged_at: Option<String>,
}

/// A comment on an issue or pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    #[serde(default)]
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub user: Option<User>,
}

/// An open milestone.
#[derive(Debug, Clone, Deserialize)]
pub struct Milestone {
    pub number: u64,
    pub title: String,
}

/// What an issue (or pull request) has after `PATCH /repos/{o}/{n}/issues/{number}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub assignees: Vec<User>,
    #[serde(default)]
    pub milestone: Option<Milestone>,
}

/// `PATCH /repos/{o}/{n}/issues/{number}`: labels (the whole set), milestone
/// and assignees in one request.
#[derive(Debug, Serialize)]
pub struct IssueUpdate<'a> {
    pub labels: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub assignees: &'a [String],
}

/// `POST /repos/{owner}/{repo}/pulls`.
#[derive(Debug, Serialize)]
pub struct NewPull<'a> {
    pub title: &'a str,
    pub head: &'a str,
    pub base: &'a str,
    pub body: &'a str,
    pub maintainer_can_modify: bool,
    pub draft: bool,
}

/// A review of a pull request (`GET /repos/{o}/{n}/pulls/{number}/reviews`).
#[derive(Debug, Clone, Deserialize)]
pub struct Review {
    /// `null` for a deleted account.
    #[serde(default)]
    pub user: Option<User>,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` or `PENDING`.
    pub state: String,
}

/// Those whose latest review that says yes or no (`APPROVED`,
/// `CHANGES_REQUESTED` or `DISMISSED`; a comment changes nothing, as on
/// GitHub) approves, in the order they first reviewed.
pub fn approvers(reviews: &[Review]) -> Vec<String> {
    let mut latest: Vec<(String, bool)> = Vec::new();
    for review in reviews {
        let Some(user) = &review.user else { continue };
        let approves = match review.state.as_str() {
            "APPROVED" => true,
            "CHANGES_REQUESTED" | "DISMISSED" => false,
            _ => continue,
        };
        match latest
            .iter_mut()
            .find(|(login, _)| login.eq_ignore_ascii_case(&user.login))
        {
            Some(entry) => entry.1 = approves,
            None => latest.push((user.login.clone(), approves)),
        }
    }
    latest.into_iter().filter(|(_, a)| *a).map(|(login, _)| login).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_verdict_of_each_reviewer_counts() {
        let review = |login: &str, state: &str| Review {
            user: Some(User { login: login.into() }),
            state: state.into(),
        };
        let reviews = [
            review("ann", "APPROVED"),
            review("ben", "APPROVED"),
            review("ben", "CHANGES_REQUESTED"),
            review("cat", "CHANGES_REQUESTED"),
            review("cat", "APPROVED"),
            review("ann", "COMMENTED"),
            review("dan", "COMMENTED"),
            review("eve", "APPROVED"),
            review("eve", "DISMISSED"),
            Review {
                user: None,
                state: "APPROVED".into(),
            },
        ];
        assert_eq!(approvers(&reviews), vec!["ann", "cat"]);
    }
}

/// How turning on auto-merge went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoMerge {
    /// On.
    Enabled,
    /// GitHub would not: its reasons (the repository does not allow
    /// auto-merge, the token may not, the pull request may be merged now).
    Refused(String),
}
