//! Follow-through on the new pull request: labels (configured and copied from
//! the sources), milestone, assignees — in one `PATCH` where possible —,
//! reviewers, auto-merge, and a comment on each source pull request. Lacking
//! permission is a warning.

use crate::cli::options::MergeMethod;
use crate::github::{ApiError, AutoMerge, GitHub, IssueUpdate, Milestone, PullRequest, Repo};
use crate::output::Output;
use crate::plan::state::{JobState, Plan, Pr};

/// The labels to add: the configured ones, then the sources' labels that
/// match a `--copy-labels` pattern, then the conflict label when a pull
/// request did not apply as it is (`conflicted`), without repeats.
pub fn wanted_labels(job: &Plan, sources: &[&Pr], conflicted: bool) -> Vec<String> {
    let patterns: Vec<glob::Pattern> = job
        .copy_labels
        .iter()
        .filter_map(|p| glob::Pattern::new(p).ok())
        .collect();
    let mut labels: Vec<String> = Vec::new();
    let copied = sources
        .iter()
        .flat_map(|pr| pr.labels.iter())
        .filter(|l| patterns.iter().any(|p| p.matches(l)));
    let conflict = job.conflict_label.iter().filter(|_| conflicted);
    for label in job.labels.iter().chain(copied).chain(conflict) {
        if !labels.contains(label) {
            labels.push(label.clone());
        }
    }
    labels
}

/// The version in a release branch's name: `release-1.31` → `1.31`.
pub fn branch_version(branch: &str) -> Option<String> {
    let start = branch.find(|c: char| c.is_ascii_digit())?;
    let version: String = branch[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = version.trim_end_matches('.');
    (!version.is_empty()).then(|| version.to_string())
}

/// The milestone for `wanted` (`auto` or a title) among the open ones.
/// `auto` prefers `v1.31`, then `1.31`, then `v1.31.x`, then `1.31.x`.
pub fn choose_milestone<'m>(wanted: &str, branch: &str, milestones: &'m [Milestone]) -> Option<&'m Milestone> {
    if !wanted.eq_ignore_ascii_case("auto") {
        return milestones
            .iter()
            .find(|m| m.title == wanted)
            .or_else(|| milestones.iter().find(|m| m.title.eq_ignore_ascii_case(wanted)));
    }
    let version = branch_version(branch)?;
    let candidates = [
        format!("v{version}"),
        version.clone(),
        format!("v{version}.x"),
        format!("{version}.x"),
    ];
    candidates
        .iter()
        .find_map(|c| milestones.iter().find(|m| m.title.trim().eq_ignore_ascii_case(c)))
}

/// The new pull request as every line names it: `PR #4001 (picks #3796)`.
struct NewPr<'a> {
    number: u64,
    sources: &'a [&'a Pr],
}

impl std::fmt::Display for NewPr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let numbers: Vec<u64> = self.sources.iter().map(|p| p.number).collect();
        write!(f, "PR #{} (picks {})", self.number, crate::text::PrList(&numbers))
    }
}

/// Applies labels, milestone and assignees to the new pull request, and
/// comments on the sources. Every failure is a warning.
pub fn follow_through(
    job: &Plan,
    repo: &Repo,
    github: &GitHub<'_>,
    out: &Output,
    target: &JobState,
    pull: &PullRequest,
    existed: bool,
) {
    let sources: Vec<&Pr> = job.prs.iter().filter(|p| target.applied.contains(&p.number)).collect();
    let new = NewPr {
        number: pull.number,
        sources: &sources,
    };
    let labels = wanted_labels(job, &sources, !target.changed.is_empty());
    let have: Vec<&str> = pull.labels.iter().map(|l| l.name.as_str()).collect();
    let missing: Vec<String> = labels.iter().filter(|l| !have.contains(&l.as_str())).cloned().collect();

    let milestone = job
        .milestone
        .as_deref()
        .and_then(|wanted| find_milestone(wanted, repo, github, out, &target.branch));
    let mut assignees: Vec<String> = Vec::new();
    if job.assign_author {
        for author in sources.iter().map(|p| p.author.clone()).filter(|a| !a.is_empty()) {
            if !assignees.contains(&author) {
                assignees.push(author);
            }
        }
    }

    if milestone.is_some() || !assignees.is_empty() {
        // One request for everything; labels there are the whole set.
        let mut all: Vec<String> = have.iter().map(|l| l.to_string()).collect();
        all.extend(missing.iter().cloned());
        let update = IssueUpdate {
            labels: &all,
            milestone: milestone.as_ref().map(|m| m.number),
            assignees: &assignees,
        };
        match github.update_issue(repo, pull.number, &update) {
            Ok(issue) => {
                let now: Vec<String> = issue.labels.into_iter().map(|l| l.name).collect();
                warn_missing_labels(out, &new, &missing, &now);
                let assigned: Vec<String> = issue.assignees.into_iter().map(|u| u.login).collect();
                let unassigned: Vec<&str> = assignees
                    .iter()
                    .filter(|a| !assigned.contains(a))
                    .map(String::as_str)
                    .collect();
                if !unassigned.is_empty() {
                    out.warn(&format!(
                        "{new} could not be assigned to {} (they may not be collaborators)",
                        unassigned.join(", ")
                    ));
                }
                if let Some(m) = &milestone
                    && issue.milestone.map(|i| i.number) != Some(m.number)
                {
                    out.warn(&format!(
                        "{new} did not get the milestone {} (setting it needs triage permission)",
                        crate::safe::one_line(&m.title)
                    ));
                }
            }
            Err(error) => out.warn(&format!(
                "could not set labels, milestone and assignees of {new}: {}\n  {error}",
                permission_hint(&error)
            )),
        }
    } else if !missing.is_empty() {
        match github.add_labels(repo, pull.number, &missing) {
            Ok(now) => warn_missing_labels(out, &new, &missing, &now),
            Err(error) => out.warn(&format!(
                "could not label {new} with {}: {}\n  {error}",
                missing.join(", "),
                permission_hint(&error)
            )),
        }
    }

    request_reviews(job, repo, github, out, &new, pull);
    // After the labels: one that holds the merge is there before it may happen.
    if let Some(method) = job.auto_merge {
        auto_merge(github, out, &new, pull, method);
    }

    if job.comment_source && !existed {
        for source in &sources {
            let body = format!(
                "Cherry pick of #{} onto {}: {}",
                source.number, target.branch, pull.html_url
            );
            if let Err(error) = github.comment(repo, source.number, &body) {
                out.warn(&format!("could not comment on PR #{}: {error}", source.number));
            }
        }
    }
}

/// The reviewers to request: the ones named, then, with
/// `--reviewers-from-source`, those who approved the sources but for their
/// authors; never the user (who opens the pull request), each once.
pub fn reviewers(job: &Plan, sources: &[&Pr], approvers: &[String]) -> Vec<String> {
    let mut reviewers: Vec<String> = Vec::new();
    let authors: Vec<&str> = sources.iter().map(|p| p.author.as_str()).collect();
    let named = job.reviewers.iter().map(|r| (r, false));
    let approving = approvers.iter().map(|r| (r, true));
    for (login, from_source) in named.chain(approving) {
        let same = |other: &str| other.eq_ignore_ascii_case(login);
        let left_out =
            same(&job.user) || (from_source && authors.iter().any(|a| same(a))) || reviewers.iter().any(|r| same(r));
        if !left_out {
            reviewers.push(login.clone());
        }
    }
    reviewers
}

/// Requests reviews of the new pull request; failing is a warning.
fn request_reviews(job: &Plan, repo: &Repo, github: &GitHub<'_>, out: &Output, new: &NewPr<'_>, pull: &PullRequest) {
    let sources = new.sources;
    let mut approvers: Vec<String> = Vec::new();
    if job.reviewers_from_source {
        for source in sources {
            match github.reviews(repo, source.number) {
                Ok(reviews) => approvers.extend(crate::github::approvers(&reviews)),
                Err(error) => out.warn(&format!(
                    "could not list the reviews of PR #{}, so its approvers are not asked to review: {error}",
                    source.number
                )),
            }
        }
    }
    let reviewers = reviewers(job, sources, &approvers);
    if reviewers.is_empty() {
        if job.reviewers_from_source && job.reviewers.is_empty() {
            out.note("No one but the authors approved the source pull requests: no review requested");
        }
        return;
    }
    match github.request_reviewers(repo, pull.number, &reviewers) {
        Ok(requested) => {
            let (asked, missing): (Vec<&String>, Vec<&String>) = reviewers
                .iter()
                .partition(|r| requested.iter().any(|q| q.eq_ignore_ascii_case(r)));
            if !asked.is_empty() {
                let names: Vec<&str> = asked.iter().map(|r| r.as_str()).collect();
                out.note(&format!("Requested reviews of {new} from {}", names.join(", ")));
            }
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|r| r.as_str()).collect();
                out.warn(&format!(
                    "GitHub does not list {} as asked to review {new} (they may have reviewed it already)",
                    names.join(", ")
                ));
            }
        }
        Err(error) => out.warn(&format!(
            "could not request reviews of {new} from {}: {}\n  {error}",
            reviewers.join(", "),
            match error.status() {
                Some(422) => "GitHub refused them: a reviewer may not be a collaborator of the repository; ask them by mentioning them instead",
                _ => permission_hint(&error),
            }
        )),
    }
}

/// Turns on GitHub's auto-merge of the pull request; GitHub's refusal (the
/// repository does not allow it, the token may not) is a warning.
fn auto_merge(github: &GitHub<'_>, out: &Output, new: &NewPr<'_>, pull: &PullRequest, method: MergeMethod) {
    let Some(node_id) = pull.node_id.as_deref() else {
        out.warn(&format!(
            "auto-merge of {new} was not turned on: GitHub's answer did not name its node"
        ));
        return;
    };
    match github.enable_auto_merge(pull.number, node_id, method.graphql()) {
        Ok(AutoMerge::Enabled) => out.note(&format!(
            "Turned on auto-merge of {new} ({}): it merges once its checks and reviews allow",
            method.name()
        )),
        Ok(AutoMerge::Refused(why)) => out.warn(&format!(
            "auto-merge of {new} was not turned on; GitHub says: {why}\n  a repository allows it under Settings → General → \"Allow auto-merge\"; turning it on needs the right to merge"
        )),
        Err(error) => out.warn(&format!(
            "auto-merge of {new} was not turned on: {}\n  {error}",
            permission_hint(&error)
        )),
    }
}

fn find_milestone(wanted: &str, repo: &Repo, github: &GitHub<'_>, out: &Output, branch: &str) -> Option<Milestone> {
    let milestones = match github.open_milestones(repo) {
        Ok(m) => m,
        Err(error) => {
            out.warn(&format!("could not list the milestones: {error}"));
            return None;
        }
    };
    let chosen = choose_milestone(wanted, branch, &milestones).cloned();
    if chosen.is_none() {
        let looked = match branch_version(branch) {
            Some(v) if wanted.eq_ignore_ascii_case("auto") => format!("v{v}, {v}, v{v}.x or {v}.x"),
            _ => wanted.to_string(),
        };
        out.note(&format!(
            "No open milestone matches {looked} in {repo}: no milestone set"
        ));
    }
    chosen
}

fn warn_missing_labels(out: &Output, new: &NewPr<'_>, wanted: &[String], now: &[String]) {
    let absent: Vec<&str> = wanted.iter().filter(|l| !now.contains(l)).map(String::as_str).collect();
    if !absent.is_empty() {
        out.warn(&format!(
            "{new} does not have the label(s) {} after labelling; ask a maintainer to add them",
            absent.join(", ")
        ));
    }
}

fn permission_hint(error: &ApiError) -> &'static str {
    match error {
        ApiError::RateLimited { .. } => "GitHub's rate limit was reached; do it later by hand",
        e if matches!(e.status(), Some(403 | 404)) => {
            "your token may not have the right to do this here (labels need Issues or Pull requests: write; milestones and assignees need triage permission; review requests need Pull requests: write; auto-merge needs Contents: write)"
        }
        _ => "the request failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milestone(number: u64, title: &str) -> Milestone {
        Milestone {
            number,
            title: title.into(),
        }
    }

    #[test]
    fn versions_come_from_branch_names() {
        assert_eq!(branch_version("release-1.31").as_deref(), Some("1.31"));
        assert_eq!(branch_version("release/v3.1.").as_deref(), Some("3.1"));
        assert_eq!(branch_version("release-3.1-rc").as_deref(), Some("3.1"));
        assert_eq!(branch_version("main"), None);
    }

    #[test]
    fn auto_prefers_the_exact_version() {
        let all = [
            milestone(1, "v1.31.x"),
            milestone(2, "1.31"),
            milestone(3, "v1.31"),
            milestone(4, "v1.3"),
        ];
        assert_eq!(
            choose_milestone("auto", "release-1.31", &all).map(|m| m.number),
            Some(3)
        );
        assert_eq!(
            choose_milestone("auto", "release-1.31", &all[..2]).map(|m| m.number),
            Some(2)
        );
        assert_eq!(
            choose_milestone("auto", "release-1.31", &all[..1]).map(|m| m.number),
            Some(1)
        );
        assert_eq!(choose_milestone("auto", "release-1.3", &all).map(|m| m.number), Some(4));
        assert!(choose_milestone("auto", "release-2.0", &all).is_none());
        assert!(choose_milestone("auto", "main", &all).is_none());
        assert_eq!(choose_milestone("V1.31.X", "x", &all).map(|m| m.number), Some(1));
        assert!(choose_milestone("v9", "x", &all).is_none());
    }

    #[test]
    fn reviewers_leave_out_the_user_and_the_authors_approvals() {
        let job: Plan = serde_json::from_value(serde_json::json!({
            "repo": "o/n", "upstream": "u", "fork": "f", "user": "Alice", "api_url": "x", "web_host": "github.com",
            "labels": [], "draft": false, "signoff": false, "yes": true, "dry_run": false,
            "exec": null, "shell": "/bin/sh", "milestone": null, "assign_author": false, "comment_source": false,
            "templates": {"title": "", "body": "", "doc_link": ""},
            "copy_labels": [], "prs": [], "reviewers": ["carol", "alice", "bob"]
        }))
        .unwrap();
        let source = Pr {
            number: 1,
            title: String::new(),
            body: String::new(),
            author: "bob".into(),
            labels: vec![],
            picked_as: crate::plan::state::PickedAs::Commits,
            landed: Vec::new(),
            origins: Vec::new(),
            needed_by: None,
        };
        let approvers = [
            "dave".to_string(),
            "BOB".to_string(),
            "Carol".to_string(),
            "alice".to_string(),
        ];
        assert_eq!(reviewers(&job, &[&source], &approvers), vec!["carol", "bob", "dave"]);
    }

    #[test]
    fn copied_labels_follow_the_patterns() {
        let job: Plan = serde_json::from_value(serde_json::json!({
            "repo": "o/n", "upstream": "u", "fork": "f", "user": "a", "api_url": "x", "web_host": "github.com",
            "labels": ["cherry-pick"], "draft": false, "signoff": false, "yes": true, "dry_run": false,
            "exec": null, "shell": "/bin/sh", "milestone": null, "assign_author": false, "comment_source": false,
            "templates": {"title": "", "body": "", "doc_link": ""},
            "copy_labels": ["kind/*", "area/api"], "prs": []
        }))
        .unwrap();
        let pr = |labels: &[&str]| Pr {
            number: 1,
            title: String::new(),
            body: String::new(),
            author: String::new(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            picked_as: crate::plan::state::PickedAs::Commits,
            landed: Vec::new(),
            origins: Vec::new(),
            needed_by: None,
        };
        let a = pr(&["kind/bug", "lgtm", "area/api", "cherry-pick"]);
        let b = pr(&["kind/bug", "kind/flake"]);
        assert_eq!(
            wanted_labels(&job, &[&a, &b], true),
            vec!["cherry-pick", "kind/bug", "area/api", "kind/flake"]
        );
        let mut job = job;
        job.options.conflict_label = Some("cherry-pick/conflicts".into());
        assert_eq!(
            wanted_labels(&job, &[&b], false),
            vec!["cherry-pick", "kind/bug", "kind/flake"]
        );
        assert_eq!(
            wanted_labels(&job, &[&b], true),
            vec!["cherry-pick", "kind/bug", "kind/flake", "cherry-pick/conflicts"]
        );
    }
}
