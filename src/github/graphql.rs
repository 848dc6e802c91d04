//! Many pull requests at once: when a run asks for more pull requests than
//! the client sends requests at a time, their data comes from one GraphQL
//! query (per hundred) instead of one REST request each, so a hundred pull
//! requests cost a round trip, not seven. Whatever the query does not bring
//! back whole (an error, a pull request it cannot find, more labels than it
//! asks for) is asked of the REST API as before, so the answers and errors
//! are the REST API's.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use serde::Deserialize;

use super::types::GitRef;
use super::{ApiError, AutoMerge, GitHub, JSON, Label, PullRequest, Repo, User};
use crate::text::{PrList, PrNumber};

/// Pull requests per query: GitHub's GraphQL API limits the nodes a query
/// may ask for, and a hundred pull requests with their labels stay well
/// within it.
const PER_QUERY: usize = 100;

/// What the query asks of each pull request: the fields of `PullRequest`.
const FIELDS: &str = "number title body merged mergedAt state url \
    headRefName headRefOid baseRefName baseRefOid mergeCommit { oid } \
    commits { totalCount } author { __typename login } \
    labels(first: 100) { totalCount nodes { name } }";

/// Turns on a pull request's auto-merge (`enablePullRequestAutoMerge`): the
/// one mutation the tool sends. Its variables: the pull request's `node_id`
/// and a `PullRequestMergeMethod`.
const ENABLE_AUTO_MERGE: &str = "mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) { \
    enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) { \
    pullRequest { number autoMergeRequest { mergeMethod } } } }";

/// What is posted to turn on auto-merge of the pull request `node_id`
/// with `method` (`MERGE`, `SQUASH`, `REBASE`).
fn auto_merge_request(node_id: &str, method: &str) -> serde_json::Value {
    serde_json::json!({
        "query": ENABLE_AUTO_MERGE,
        "variables": { "pullRequestId": node_id, "mergeMethod": method },
    })
}

/// The answer to the mutation: GitHub's reasons in `errors` when it refused.
#[derive(Deserialize)]
struct MutationAnswer {
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Deserialize)]
struct GraphqlError {
    message: String,
}

/// The answer: `data.repository` has one entry per alias, `null` for a pull
/// request GitHub could not find (it says why in `errors`). Each entry is
/// read on its own: one that is not as expected leaves the others be.
#[derive(Deserialize)]
struct Answer {
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    repository: Option<HashMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node {
    number: u64,
    title: String,
    body: Option<String>,
    merged: Option<bool>,
    merged_at: Option<String>,
    state: Option<String>,
    url: String,
    head_ref_name: String,
    head_ref_oid: String,
    base_ref_name: String,
    base_ref_oid: String,
    merge_commit: Option<Oid>,
    commits: Option<Count>,
    author: Option<Author>,
    labels: Option<Labels>,
}

#[derive(Deserialize)]
struct Oid {
    oid: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Count {
    total_count: u64,
}

#[derive(Deserialize)]
struct Author {
    #[serde(rename = "__typename")]
    kind: Option<String>,
    login: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Labels {
    total_count: usize,
    nodes: Vec<Label>,
}

impl Node {
    /// The pull request as the REST API describes it; `None` when the node
    /// lacks some of it (more labels than were asked for).
    fn into_pull(self) -> Option<PullRequest> {
        let labels = match self.labels {
            Some(labels) if labels.total_count <= labels.nodes.len() => labels.nodes,
            Some(_) => return None,
            None => Vec::new(),
        };
        // The REST API names an app by its login with `[bot]`.
        let user = self.author.map(|a| User {
            login: match a.kind.as_deref() {
                Some("Bot") if !a.login.ends_with("[bot]") => format!("{}[bot]", a.login),
                _ => a.login,
            },
        });
        let state = self.state.map(|s| match s.as_str() {
            "OPEN" => "open".to_string(),
            _ => "closed".to_string(),
        });
        Some(PullRequest {
            number: self.number,
            node_id: None,
            title: self.title,
            body: self.body,
            merged: self.merged,
            merged_at: self.merged_at,
            commits: self.commits.map(|c| c.total_count),
            html_url: self.url,
            user,
            head: GitRef {
                name: self.head_ref_name,
                sha: self.head_ref_oid,
            },
            base: Some(GitRef {
                name: self.base_ref_name,
                sha: self.base_ref_oid,
            }),
            labels,
            merge_commit_sha: self.merge_commit.map(|c| c.oid),
            state,
            // Not asked for: only the pull requests against a target that
            // say they are cherry picks need it, and those come from REST.
            author_association: None,
        })
    }
}

/// The query for `numbers` of `owner/name` (given as variables): one alias
/// per pull request, `pr<N>`.
fn query(numbers: &[u64]) -> String {
    let pulls: Vec<String> = numbers
        .iter()
        .map(|n| format!("pr{n}: pullRequest(number: {n}) {{ ...pull }}"))
        .collect();
    format!(
        "query($owner: String!, $name: String!) {{ repository(owner: $owner, name: $name) {{ {} }} }} \
         fragment pull on PullRequest {{ {FIELDS} }}",
        pulls.join(" ")
    )
}

/// What is posted to the endpoint for `numbers` of `repo`: the query and
/// its variables.
fn request(repo: &Repo, numbers: &[u64]) -> serde_json::Value {
    serde_json::json!({
        "query": query(numbers),
        "variables": { "owner": repo.owner, "name": repo.name },
    })
}

/// The GraphQL endpoint of the REST API at `api`: GitHub Enterprise Server
/// serves REST at `/api/v3` and GraphQL at `/api/graphql`; github.com at
/// `api.github.com/graphql`.
fn endpoint(api: &str) -> String {
    match api.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{api}/graphql"),
    }
}

/// `#1 #2 #3`, or `#1 … #9` for more than three.
fn numbered(numbers: &[u64]) -> String {
    match numbers {
        [first, .., last] if numbers.len() > 3 => format!("{} … {}", PrNumber(*first), PrNumber(*last)),
        _ => PrList(numbers).to_string(),
    }
}

impl GitHub<'_> {
    /// The pull requests `numbers` of `repo`, in order, each as GitHub
    /// describes it (`GET /repos/{o}/{n}/pulls/{N}`) or the error it gave.
    /// `alongside`: how many other requests go out at the same time. When
    /// they and these do not fit in one round of the requests in flight,
    /// the pull requests are first asked for in one GraphQL query.
    /// `answered` is told how many more have their answer.
    pub fn pulls(
        &self,
        repo: &Repo,
        numbers: &[u64],
        alongside: usize,
        answered: &(dyn Fn(usize) + Sync),
    ) -> Vec<Result<PullRequest, ApiError>> {
        // One pull request is one request either way.
        let mut found: Vec<Option<Result<PullRequest, ApiError>>> =
            if numbers.len() > 1 && numbers.len() + alongside > self.in_flight() {
                self.query_pulls(repo, numbers).into_iter().map(|p| p.map(Ok)).collect()
            } else {
                numbers.iter().map(|_| None).collect()
            };
        answered(found.iter().flatten().count());
        let left: Vec<(usize, u64)> = numbers
            .iter()
            .enumerate()
            .filter(|(i, _)| found[*i].is_none())
            .map(|(i, &n)| (i, n))
            .collect();
        let next = AtomicUsize::new(0);
        let answers: Vec<(usize, Result<PullRequest, ApiError>)> = thread::scope(|scope| {
            let workers: Vec<_> = (0..self.in_flight().clamp(1, left.len().max(1)))
                .map(|_| {
                    scope.spawn(|| {
                        let mut mine = Vec::new();
                        while let Some(&(i, number)) = left.get(next.fetch_add(1, Ordering::Relaxed)) {
                            mine.push((i, self.pull(repo, number)));
                            answered(1);
                        }
                        mine
                    })
                })
                .collect();
            workers.into_iter().flat_map(crate::signals::join).collect()
        });
        for (i, answer) in answers {
            found[i] = Some(answer);
        }
        found
            .into_iter()
            .zip(numbers)
            .map(|(answer, &number)| {
                answer.unwrap_or_else(|| {
                    Err(ApiError::Interrupted {
                        what: format!("fetching PR #{number} from {repo}"),
                    })
                })
            })
            .collect()
    }

    /// Turns on auto-merge of pull request #`number` (GraphQL node
    /// `node_id`) with `method`: `enablePullRequestAutoMerge`. GitHub's
    /// refusal, which it gives in an answer of 200 with `errors`, is
    /// `AutoMerge::Refused` with its words.
    pub fn enable_auto_merge(&self, number: u64, node_id: &str, method: &str) -> Result<AutoMerge, ApiError> {
        let url = endpoint(&self.api);
        let what = format!("turning on auto-merge of PR #{number}");
        let body = auto_merge_request(node_id, method);
        let reply = self.send_as(
            &what,
            || self.client.post(&url).json(&body),
            JSON,
            super::Resend::Safe,
            super::Traffic::Write,
        )?;
        let answer: MutationAnswer = self.json(&what, reply)?;
        if answer.errors.is_empty() {
            return Ok(AutoMerge::Enabled);
        }
        let words: Vec<String> = answer.errors.into_iter().map(|e| e.message).collect();
        Ok(AutoMerge::Refused(self.posted_line(&words.join("; "))))
    }

    /// The pull requests `numbers` of `repo` from GraphQL queries (one per
    /// hundred, sent at once), `None` for each one they did not bring back
    /// whole. A query that fails is no error: its pull requests are `None`,
    /// and `--debug` says why.
    fn query_pulls(&self, repo: &Repo, numbers: &[u64]) -> Vec<Option<PullRequest>> {
        let url = endpoint(&self.api);
        let answers: Vec<Vec<Option<PullRequest>>> = thread::scope(|scope| {
            let queries: Vec<_> = numbers
                .chunks(PER_QUERY)
                .map(|numbers| {
                    let url = &url;
                    scope.spawn(move || {
                        let what = format!("fetching PRs {} from {repo} in one query", numbered(numbers));
                        let body = request(repo, numbers);
                        let answer = self
                            .send(&what, || self.client.post(url).json(&body), JSON)
                            .and_then(|reply| self.json::<Answer>(&what, reply));
                        let mut pulls = match answer {
                            Ok(Answer {
                                data:
                                    Some(Data {
                                        repository: Some(pulls),
                                    }),
                            }) => pulls,
                            Ok(_) => {
                                self.out.debug(|| format!("{what}: no repository in the answer"));
                                HashMap::new()
                            }
                            Err(e) => {
                                self.out.debug(|| format!("{e}; asking for each pull request instead"));
                                HashMap::new()
                            }
                        };
                        numbers
                            .iter()
                            .map(|n| {
                                (pulls.remove(&format!("pr{n}")))
                                    .and_then(|node| serde_json::from_value::<Node>(node).ok())
                                    .filter(|node| node.number == *n)
                                    .and_then(Node::into_pull)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            queries.into_iter().map(crate::signals::join).collect()
        });
        answers.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_next_to_the_rest_api() {
        assert_eq!(endpoint("https://api.github.com"), "https://api.github.com/graphql");
        assert_eq!(
            endpoint("https://github.example.com/api/v3"),
            "https://github.example.com/api/graphql"
        );
        assert_eq!(endpoint("http://127.0.0.1:8080"), "http://127.0.0.1:8080/graphql");
    }

    #[test]
    fn the_query_names_each_pull_request_once() {
        let q = query(&[12, 3796]);
        assert!(q.starts_with("query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { "));
        assert!(q.contains("pr12: pullRequest(number: 12) { ...pull } pr3796: pullRequest(number: 3796) { ...pull }"));
        assert!(q.ends_with(&format!("fragment pull on PullRequest {{ {FIELDS} }}")));
    }

    /// What the tool posts to GitHub's GraphQL API, for the check against
    /// GitHub's published schema (`.ci/graphql/`): written as a JSON array
    /// of `{name, body}` to the file `CPP_GRAPHQL_DOCUMENTS` names, when set.
    #[test]
    fn documents_for_the_schema_check() {
        let Some(out) = std::env::var_os("CPP_GRAPHQL_DOCUMENTS") else {
            return;
        };
        let repo = Repo {
            owner: "kubesphere".into(),
            name: "kubesphere".into(),
        };
        let full: Vec<u64> = (1..=PER_QUERY as u64).collect();
        let documents = serde_json::json!([
            {"name": "pull requests by number", "body": request(&repo, &[12, 3796])},
            {"name": "a full query", "body": request(&repo, &full)},
            {"name": "turning on auto-merge", "body": auto_merge_request("PR_kwDOB6Kx0c5kLzJ8", "SQUASH")},
        ]);
        std::fs::write(out, serde_json::to_vec_pretty(&documents).expect("JSON")).expect("write the documents");
    }

    #[test]
    fn many_numbers_are_named_by_the_first_and_last() {
        assert_eq!(numbered(&[1, 2, 3]), "#1 #2 #3");
        assert_eq!(numbered(&[1, 2, 3, 4]), "#1 … #4");
    }

    fn node(extra: serde_json::Value) -> Node {
        let mut node = serde_json::json!({
            "number": 7, "title": "Fix", "body": "b", "merged": true, "mergedAt": "2026-01-01T00:00:00Z",
            "state": "MERGED", "url": "https://github.com/o/n/pull/7",
            "headRefName": "fix", "headRefOid": "aaa", "baseRefName": "master", "baseRefOid": "bbb",
            "mergeCommit": {"oid": "ccc"}, "commits": {"totalCount": 2},
            "author": {"__typename": "User", "login": "alice"},
            "labels": {"totalCount": 1, "nodes": [{"name": "kind/bug"}]},
        });
        if let (Some(node), Some(extra)) = (node.as_object_mut(), extra.as_object()) {
            node.extend(extra.clone());
        }
        serde_json::from_value(node).expect("a node")
    }

    #[test]
    fn a_node_reads_as_the_rest_api_describes_the_pull_request() {
        let pull = node(serde_json::json!({})).into_pull().expect("whole");
        assert_eq!(pull.number, 7);
        assert_eq!(pull.title, "Fix");
        assert_eq!(pull.body.as_deref(), Some("b"));
        assert_eq!(pull.merged, Some(true));
        assert_eq!(pull.merged_at.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(pull.state.as_deref(), Some("closed"));
        assert_eq!(pull.html_url, "https://github.com/o/n/pull/7");
        assert_eq!((pull.head.name.as_str(), pull.head.sha.as_str()), ("fix", "aaa"));
        let base = pull.base.expect("a base");
        assert_eq!((base.name.as_str(), base.sha.as_str()), ("master", "bbb"));
        assert_eq!(pull.merge_commit_sha.as_deref(), Some("ccc"));
        assert_eq!(pull.commits, Some(2));
        assert_eq!(pull.user.map(|u| u.login).as_deref(), Some("alice"));
        assert_eq!(
            pull.labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
            ["kind/bug"]
        );
        let open = node(serde_json::json!({"state": "OPEN", "merged": false, "mergedAt": null, "mergeCommit": null}));
        let open = open.into_pull().expect("whole");
        assert_eq!(open.state.as_deref(), Some("open"));
        assert_eq!(open.is_merged(), Some(false));
        assert_eq!(open.merge_commit_sha, None);
    }

    #[test]
    fn an_app_is_named_as_the_rest_api_names_it() {
        let bot = node(serde_json::json!({"author": {"__typename": "Bot", "login": "dependabot"}}));
        assert_eq!(
            bot.into_pull().and_then(|p| p.user).map(|u| u.login).as_deref(),
            Some("dependabot[bot]")
        );
        let named = node(serde_json::json!({"author": {"__typename": "Bot", "login": "renovate[bot]"}}));
        assert_eq!(
            named.into_pull().and_then(|p| p.user).map(|u| u.login).as_deref(),
            Some("renovate[bot]")
        );
        let gone = node(serde_json::json!({"author": null}));
        assert!(gone.into_pull().expect("whole").user.is_none());
    }

    #[test]
    fn a_node_with_more_labels_than_it_brought_is_not_whole() {
        let many = node(serde_json::json!({"labels": {"totalCount": 101, "nodes": [{"name": "a"}]}}));
        assert!(many.into_pull().is_none());
    }
}
