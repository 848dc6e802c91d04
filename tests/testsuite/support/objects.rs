//! GitHub's objects whole, as GitHub's published descriptions have them: the
//! users, repository, labels and milestones that the fake's answers and the
//! event payloads are made of. Prism (`.ci/prism/`) holds the fake's answers
//! to the REST description, and `.ci/webhooks/` the payloads to the webhook
//! schemas; values the tool never reads are plausible, and fixed.

use serde_json::{Map, Value, json};

/// When everything these objects say happened, happened.
pub const AT: &str = "2026-01-01T00:00:00Z";

/// A commit id that is plausible and fixed: `seed` in 40 hex digits.
pub fn sha(seed: u64) -> String {
    format!("{seed:040x}")
}

/// One object of the fields of `parts`: a big object in parts, as one
/// `json!` may hold only so much.
pub fn object<const N: usize>(parts: [Value; N]) -> Value {
    let mut fields = Map::new();
    for part in parts {
        if let Value::Object(part) = part {
            fields.extend(part);
        }
    }
    Value::Object(fields)
}

/// Sets each `key` of `object` to `base` followed by its path.
fn urls(object: &mut Value, base: &str, paths: &[(&str, &str)]) {
    let map: &mut Map<String, Value> = object.as_object_mut().expect("an object");
    for (key, path) in paths {
        map.insert(key.to_string(), Value::from(format!("{base}{path}")));
    }
}

/// The same id for the same login, in every object.
fn user_id(login: &str) -> u64 {
    login.bytes().fold(7, |id, b| (id * 31 + u64::from(b)) % 100_000_000)
}

/// A user as GitHub names one in other objects (`simple-user`): an app's
/// login ends in `[bot]`, and an organisation is `organization`.
pub fn user(login: &str, organization: bool) -> Value {
    let id = user_id(login);
    let api = format!("https://api.github.com/users/{login}");
    let kind = match (organization, login.ends_with("[bot]")) {
        (true, _) => "Organization",
        (false, true) => "Bot",
        (false, false) => "User",
    };
    let mut user = json!({
        "login": login,
        "id": id,
        "node_id": format!("MDQ6VXNlcj{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("https://github.com/{login}"),
        "type": kind,
        "user_view_type": "public",
        "site_admin": false,
    });
    urls(
        &mut user,
        &api,
        &[
            ("followers_url", "/followers"),
            ("following_url", "/following{/other_user}"),
            ("gists_url", "/gists{/gist_id}"),
            ("starred_url", "/starred{/owner}{/repo}"),
            ("subscriptions_url", "/subscriptions"),
            ("organizations_url", "/orgs"),
            ("repos_url", "/repos"),
            ("events_url", "/events{/privacy}"),
            ("received_events_url", "/received_events"),
        ],
    );
    user
}

/// The user a token belongs to, as `GET /user` describes them to themselves
/// (`private-user`).
pub fn private_user(login: &str) -> Value {
    let mut user = user(login, false);
    let fields = json!({
        "user_view_type": "private",
        "name": null, "company": null, "blog": "", "location": null, "email": null,
        "hireable": null, "bio": null, "twitter_username": null, "notification_email": null,
        "public_repos": 3, "public_gists": 0, "followers": 1, "following": 1,
        "created_at": "2015-01-01T00:00:00Z", "updated_at": AT,
        "private_gists": 0, "total_private_repos": 0, "owned_private_repos": 0,
        "disk_usage": 1_000, "collaborators": 0, "two_factor_authentication": true,
    });
    if let (Some(user), Value::Object(fields)) = (user.as_object_mut(), fields) {
        user.extend(fields);
    }
    user
}

/// Repository `owner/name` as `GET /repos/{o}/{n}` describes it
/// (`full-repository`, which holds the `repository` of a pull request's head
/// and base, and of a webhook's payload): an organisation's, or a user's
/// `fork`.
pub fn repository(owner: &str, name: &str, fork: bool) -> Value {
    let full = format!("{owner}/{name}");
    let api = format!("https://api.github.com/repos/{full}");
    let repository = json!({
        "id": 128_000_000 + user_id(&full) % 1_000_000,
        "node_id": "MDEwOlJlcG9zaXRvcnkxMjgwMDAwMDE=",
        "name": name,
        "full_name": full,
        "private": false,
        "owner": user(owner, !fork),
        "html_url": format!("https://github.com/{full}"),
        "description": "The container platform tailored for Kubernetes multi-cloud",
        "fork": fork,
        "url": api,
        "created_at": "2018-04-01T00:00:00Z",
        "updated_at": AT,
        "pushed_at": AT,
        "git_url": format!("git://github.com/{full}.git"),
        "ssh_url": format!("git@github.com:{full}.git"),
        "clone_url": format!("https://github.com/{full}.git"),
        "svn_url": format!("https://github.com/{full}"),
        "mirror_url": null,
    });
    let counts = json!({
        "homepage": "https://kubesphere.io",
        "size": 180_000,
        "stargazers_count": 15_000,
        "watchers_count": 15_000,
        "language": "Go",
        "has_issues": true,
        "has_projects": true,
        "has_downloads": true,
        "has_wiki": false,
        "has_pages": false,
        "has_discussions": true,
        "forks_count": 2_000,
        "archived": false,
        "disabled": false,
        "open_issues_count": 400,
        "license": {
            "key": "apache-2.0",
            "name": "Apache License 2.0",
            "spdx_id": "Apache-2.0",
            "url": "https://api.github.com/licenses/apache-2.0",
            "node_id": "MDc6TGljZW5zZTI=",
        },
        "allow_forking": true,
        "is_template": false,
        "web_commit_signoff_required": false,
        "topics": ["kubernetes"],
        "visibility": "public",
        "forks": 2_000,
        "open_issues": 400,
        "watchers": 15_000,
        "default_branch": "master",
        "network_count": 2_000,
        "subscribers_count": 300,
    });
    let mut repository = object([repository, counts]);
    urls(
        &mut repository,
        &api,
        &[
            ("forks_url", "/forks"),
            ("keys_url", "/keys{/key_id}"),
            ("collaborators_url", "/collaborators{/collaborator}"),
            ("teams_url", "/teams"),
            ("hooks_url", "/hooks"),
            ("issue_events_url", "/issues/events{/number}"),
            ("events_url", "/events"),
            ("assignees_url", "/assignees{/user}"),
            ("branches_url", "/branches{/branch}"),
            ("tags_url", "/tags"),
            ("blobs_url", "/git/blobs{/sha}"),
            ("git_tags_url", "/git/tags{/sha}"),
            ("git_refs_url", "/git/refs{/sha}"),
            ("trees_url", "/git/trees{/sha}"),
            ("statuses_url", "/statuses/{sha}"),
            ("languages_url", "/languages"),
            ("stargazers_url", "/stargazers"),
            ("contributors_url", "/contributors"),
            ("subscribers_url", "/subscribers"),
            ("subscription_url", "/subscription"),
            ("commits_url", "/commits{/sha}"),
            ("git_commits_url", "/git/commits{/sha}"),
            ("comments_url", "/comments{/number}"),
            ("issue_comment_url", "/issues/comments{/number}"),
            ("contents_url", "/contents/{+path}"),
            ("compare_url", "/compare/{base}...{head}"),
            ("merges_url", "/merges"),
            ("archive_url", "/{archive_format}{/ref}"),
            ("downloads_url", "/downloads"),
            ("issues_url", "/issues{/number}"),
            ("pulls_url", "/pulls{/number}"),
            ("milestones_url", "/milestones{/number}"),
            ("notifications_url", "/notifications{?since,all,participating}"),
            ("labels_url", "/labels{/name}"),
            ("releases_url", "/releases{/id}"),
            ("deployments_url", "/deployments"),
        ],
    );
    repository
}

/// Label `name` of `owner/repo`.
pub fn label(owner: &str, repo: &str, name: &str) -> Value {
    let id = 900_000_000 + user_id(name);
    json!({
        "id": id,
        "node_id": format!("LA_kwDOB6Kx0c8AAAABOl{id}"),
        "url": format!(
            "https://api.github.com/repos/{owner}/{repo}/labels/{}",
            form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
        ),
        "name": name,
        "color": "ededed",
        "default": false,
        // A string: a listing's pull requests (`pull-request-simple`) have
        // no `null` description.
        "description": "",
    })
}

/// Milestone `number` of `owner/repo`, titled `title`, `open` or `closed`.
pub fn milestone(owner: &str, repo: &str, number: u64, title: &str, state: &str) -> Value {
    let url = format!("https://api.github.com/repos/{owner}/{repo}/milestones/{number}");
    json!({
        "url": url,
        "html_url": format!("https://github.com/{owner}/{repo}/milestone/{number}"),
        "labels_url": format!("{url}/labels"),
        "id": number * 7,
        "node_id": format!("MI_kwDOB6Kx0c4A{number}"),
        "number": number,
        "title": title,
        "description": null,
        "creator": user(owner, true),
        "open_issues": 1,
        "closed_issues": 0,
        "state": state,
        "created_at": "2025-06-01T00:00:00Z",
        "updated_at": AT,
        "due_on": null,
        "closed_at": if state == "closed" { Value::from(AT) } else { Value::Null },
    })
}

/// The reactions to something at `url`: none.
pub fn no_reactions(url: &str) -> Value {
    json!({
        "url": format!("{url}/reactions"),
        "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
        "confused": 0, "heart": 0, "rocket": 0, "eyes": 0,
    })
}
