//! Event payloads as GitHub writes them: whole, to the letter of GitHub's
//! published webhook schemas (`.ci/webhooks/` holds every payload the tests
//! feed `--from-event` to them), with plausible values where the tool reads
//! nothing.

use serde_json::{Map, Value, json};

use crate::support::objects::{self, AT, no_reactions, sha};
use crate::support::{NAME, OWNER};

fn user(login: &str) -> Value {
    objects::user(login, login == OWNER)
}

fn repository() -> Value {
    objects::repository(OWNER, NAME, false)
}

fn label(name: &str) -> Value {
    objects::label(OWNER, NAME, name)
}

/// Pull request `number` of the repository, from branch `fix-{number}` to
/// master, opened by `contributor`; `closed` or open, `merged` or not.
fn pull_request(number: u64, closed: bool, merged: bool, title: &str, labels: &[&str]) -> Value {
    let full = format!("{OWNER}/{NAME}");
    let api = format!("https://api.github.com/repos/{full}");
    let url = format!("{api}/pulls/{number}");
    let html = format!("https://github.com/{full}/pull/{number}");
    let author = user("contributor");
    let side = |name: &str, owner: &str, at: u64| {
        json!({
            "label": format!("{owner}:{name}"),
            "ref": name,
            "sha": sha(at),
            "user": user(owner),
            "repo": repository(),
        })
    };
    let links = |paths: &[(&str, String)]| -> Value {
        paths
            .iter()
            .map(|(key, href)| (key.to_string(), json!({ "href": href })))
            .collect::<Map<String, Value>>()
            .into()
    };
    let pull = json!({
        "url": url,
        "id": 1_700_000_000 + number,
        "node_id": format!("PR_kwDOB6Kx0c{number}"),
        "html_url": html,
        "diff_url": format!("{html}.diff"),
        "patch_url": format!("{html}.patch"),
        "issue_url": format!("{api}/issues/{number}"),
        "commits_url": format!("{url}/commits"),
        "review_comments_url": format!("{url}/comments"),
        "review_comment_url": format!("{api}/pulls/comments{{/number}}"),
        "comments_url": format!("{api}/issues/{number}/comments"),
        "statuses_url": format!("{api}/statuses/{}", sha(number)),
        "number": number,
        "state": if closed { "closed" } else { "open" },
        "locked": false,
        "title": title,
        "user": author,
        "body": null,
        "created_at": "2025-12-31T00:00:00Z",
        "updated_at": AT,
        "closed_at": if closed { Value::from(AT) } else { Value::Null },
        "merged_at": if merged { Value::from(AT) } else { Value::Null },
        "merge_commit_sha": if merged { Value::from(sha(number + 1)) } else { Value::Null },
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": labels.iter().map(|l| label(l)).collect::<Vec<_>>(),
        "milestone": null,
        "draft": false,
    });
    let more = json!({
        "head": side(&format!("fix-{number}"), "contributor", number),
        "base": side("master", OWNER, 1),
        "_links": links(&[
            ("self", url.clone()),
            ("html", html.clone()),
            ("issue", format!("{api}/issues/{number}")),
            ("comments", format!("{api}/issues/{number}/comments")),
            ("review_comments", format!("{url}/comments")),
            ("review_comment", format!("{api}/pulls/comments{{/number}}")),
            ("commits", format!("{url}/commits")),
            ("statuses", format!("{api}/statuses/{}", sha(number))),
        ]),
        "author_association": "CONTRIBUTOR",
        "auto_merge": null,
        "active_lock_reason": null,
        "merged": merged,
        "mergeable": null,
        "rebaseable": null,
        "mergeable_state": "unknown",
        "merged_by": if merged { user("maintainer") } else { Value::Null },
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": false,
        "commits": 1,
        "additions": 1,
        "deletions": 1,
        "changed_files": 1,
    });
    objects::object([pull, more])
}

/// The payload of a `pull_request` (or `pull_request_target`) event with
/// `action` on pull request `number`, titled `Fix {number}`, which has
/// `labels`; `label`: the one a `labeled` event added.
pub fn pull_request_event(action: &str, number: u64, merged: bool, labels: &[&str], label: Option<&str>) -> Value {
    let title = format!("Fix {number}");
    let mut event = json!({
        "action": action,
        "number": number,
        "pull_request": pull_request(number, action == "closed", merged, &title, labels),
        "repository": repository(),
        "sender": if action == "opened" { user("contributor") } else { user("maintainer") },
    });
    if let Some(name) = label {
        event["label"] = self::label(name);
    }
    event
}

/// The payload of an `issue_comment` event: `body` from `maintainer`, who
/// is `association` to the repository, on pull request `number`, which is
/// merged (and so closed) or open.
pub fn comment_event(number: u64, body: &str, association: &str, merged: bool) -> Value {
    let full = format!("{OWNER}/{NAME}");
    let api = format!("https://api.github.com/repos/{full}");
    let issue = format!("{api}/issues/{number}");
    let html = format!("https://github.com/{full}/pull/{number}");
    let id = 3_000_000_000 + number;
    let comment = format!("{api}/issues/comments/{id}");
    json!({
        "action": "created",
        "issue": {
            "url": issue,
            "repository_url": api,
            "labels_url": format!("{issue}/labels{{/name}}"),
            "comments_url": format!("{issue}/comments"),
            "events_url": format!("{issue}/events"),
            "html_url": html,
            "id": 2_000_000_000 + number,
            "node_id": format!("PR_kwDOB6Kx0c{number}"),
            "number": number,
            "title": format!("Fix {number}"),
            "user": user("contributor"),
            "labels": [],
            "state": if merged { "closed" } else { "open" },
            "locked": false,
            "assignee": null,
            "assignees": [],
            "milestone": null,
            "comments": 1,
            "created_at": "2025-12-31T00:00:00Z",
            "updated_at": AT,
            "closed_at": if merged { Value::from(AT) } else { Value::Null },
            "author_association": "CONTRIBUTOR",
            "active_lock_reason": null,
            "draft": false,
            "pull_request": {
                "url": format!("{api}/pulls/{number}"),
                "html_url": html,
                "diff_url": format!("{html}.diff"),
                "patch_url": format!("{html}.patch"),
                "merged_at": if merged { Value::from(AT) } else { Value::Null },
            },
            "body": null,
            "reactions": no_reactions(&issue),
            "timeline_url": format!("{issue}/timeline"),
            "performed_via_github_app": null,
            "state_reason": null,
        },
        "comment": {
            "url": comment,
            "html_url": format!("{html}#issuecomment-{id}"),
            "issue_url": issue,
            "id": id,
            "node_id": format!("IC_kwDOB6Kx0c{id}"),
            "user": user("maintainer"),
            "created_at": AT,
            "updated_at": AT,
            "author_association": association,
            "body": body,
            "reactions": no_reactions(&comment),
            "performed_via_github_app": null,
        },
        "repository": repository(),
        "sender": user("maintainer"),
    })
}

/// The payload of a `push` of one commit to `master`.
pub fn push_event() -> Value {
    let full = format!("{OWNER}/{NAME}");
    let (before, after) = (sha(1), sha(2));
    let person = json!({"name": "Maintainer", "email": "maintainer@example.com", "username": "maintainer"});
    let commit = json!({
        "id": after,
        "tree_id": sha(3),
        "distinct": true,
        "message": "Fix the widget",
        "timestamp": AT,
        "url": format!("https://github.com/{full}/commit/{after}"),
        "author": person,
        "committer": person,
        "added": [],
        "removed": [],
        "modified": ["pkg/a.go"],
    });
    json!({
        "ref": "refs/heads/master",
        "before": before,
        "after": after,
        "repository": repository(),
        "pusher": {"name": "maintainer", "email": "maintainer@example.com"},
        "sender": user("maintainer"),
        "created": false,
        "deleted": false,
        "forced": false,
        "base_ref": null,
        "compare": format!("https://github.com/{full}/compare/{}...{}", &before[..12], &after[..12]),
        "commits": [commit],
        "head_commit": commit,
    })
}

/// The payload of a `pull_request_target` event `closed` on pull request
/// `number` from branch `head` of the repository itself onto `base`,
/// `merged` or not, opened by `opener`: how GitHub tells of a cherry pick
/// the workflow opened being merged or closed.
pub fn cherry_pick_closed_event(number: u64, head: &str, base: &str, merged: bool, opener: &str) -> Value {
    let mut event = pull_request_event("closed", number, merged, &[], None);
    let pull = &mut event["pull_request"];
    pull["title"] = json!(format!("Automated cherry pick of #{number}"));
    pull["user"] = user(opener);
    pull["author_association"] = json!(if opener == OWNER { "OWNER" } else { "CONTRIBUTOR" });
    pull["head"]["ref"] = json!(head);
    pull["head"]["label"] = json!(format!("{OWNER}:{head}"));
    pull["head"]["user"] = user(OWNER);
    pull["head"]["repo"] = repository();
    pull["base"]["ref"] = json!(base);
    pull["base"]["label"] = json!(format!("{OWNER}:{base}"));
    event
}
