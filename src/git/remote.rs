//! Remote URLs: which host, owner and repository a git remote points at, and
//! which API serves that host.
//!
//! These parsers take anything a user or a config file can contain; they
//! return `None` rather than panic.

use std::fmt;

/// A GitHub repository as a remote URL names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoUrl {
    /// Lower-cased host name, without user or port; `None` for a local path.
    pub host: Option<String>,
    pub owner: String,
    pub name: String,
}

impl RepoUrl {
    /// `owner/name`.
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Whether both name the same repository (GitHub compares case-insensitively).
    pub fn same_repo(&self, other: &RepoUrl) -> bool {
        let host = |h: &Option<String>| h.clone().unwrap_or_default();
        (self.host.is_none() || other.host.is_none() || host(&self.host) == host(&other.host))
            && self.owner.eq_ignore_ascii_case(&other.owner)
            && self.name.eq_ignore_ascii_case(&other.name)
    }
}

impl fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// Parses a remote URL in any form git accepts: `https://host/o/n(.git)`,
/// `git@host:o/n(.git)`, `ssh://git@host[:port]/o/n(.git)`, `git://…`,
/// `file://…` or a local path (its last two components are owner and name).
pub fn parse_remote_url(url: &str) -> Option<RepoUrl> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if scheme == "file" {
            return from_path(None, rest);
        }
        if !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
            return None;
        }
        let (authority, path) = rest.split_once('/')?;
        return from_path(Some(host_of(authority)?), path);
    }
    // scp-like syntax: [user@]host:path, with no slash before the first colon
    // (a bracketed IPv6 host may hold colons).
    let scp = match url.find('[') {
        Some(open) if !url[..open].contains('/') => url[open..]
            .find("]:")
            .map(|close| url.split_at(open + close + 1))
            .map(|(b, p)| (b, &p[1..])),
        _ => url.split_once(':'),
    };
    if url.starts_with(':') {
        return None;
    }
    if let Some((before, path)) = scp
        && !before.contains('/')
        && !before.is_empty()
        && !is_drive_letter(before)
    {
        let host = before.rsplit_once('@').map_or(before, |(_, h)| h);
        let host = strip_brackets(host);
        if host.is_empty() {
            return None;
        }
        return from_path(Some(normalise_host(host)), path);
    }
    from_path(None, url)
}

/// The API base URL for a web host: github.com → `https://api.github.com`,
/// `*.ghe.com` → `https://api.SUBDOMAIN.ghe.com`, any other host (GitHub
/// Enterprise Server) → `https://HOST/api/v3`.
pub fn api_url_for_host(host: Option<&str>) -> String {
    match host {
        None | Some("github.com") => "https://api.github.com".to_string(),
        Some(h) if h.ends_with(".ghe.com") => format!("https://api.{h}"),
        Some(h) => format!("https://{h}/api/v3"),
    }
}

/// The web host an API base URL serves, the inverse of `api_url_for_host`:
/// `https://api.github.com` → github.com, `https://api.X.ghe.com` →
/// X.ghe.com, `https://HOST/api/v3` → HOST; any other URL → its host.
pub fn web_host_for_api(api_url: &str) -> String {
    let url = reqwest::Url::parse(api_url).ok();
    let Some(host) = url.as_ref().and_then(reqwest::Url::host_str) else {
        return "github.com".to_string();
    };
    // An IPv6 address without its brackets.
    let host = strip_brackets(host).to_ascii_lowercase();
    if host == "api.github.com" {
        "github.com".to_string()
    } else if let Some(sub) = host.strip_prefix("api.").filter(|h| h.ends_with(".ghe.com")) {
        sub.to_string()
    } else {
        host
    }
}

fn from_path(host: Option<String>, path: &str) -> Option<RepoUrl> {
    let path = path.trim_end_matches(['/', '\\']);
    let mut parts = path.rsplit(['/', '\\']).filter(|p| !p.is_empty());
    let name = parts.next()?;
    let owner = parts.next()?;
    let name = name.strip_suffix(".git").unwrap_or(name);
    let owner = owner.strip_prefix('~').unwrap_or(owner);
    if name.is_empty() || owner.is_empty() || name == "." || name == ".." || owner == "." || owner == ".." {
        return None;
    }
    Some(RepoUrl {
        host,
        owner: owner.to_string(),
        name: name.to_string(),
    })
}

/// The host of `[user[:password]@]host[:port]`, lower-cased.
pub fn host_of(authority: &str) -> Option<String> {
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(inner) = host.strip_prefix('[') {
        inner.split_once(']').map(|(h, _)| h)?
    } else {
        host.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return None;
    }
    Some(normalise_host(host))
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// GitHub's SSH-over-443 host is github.com.
fn normalise_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    if host == "ssh.github.com" || host == "www.github.com" {
        "github.com".to_string()
    } else {
        host
    }
}

fn is_drive_letter(text: &str) -> bool {
    text.len() == 1 && text.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(host: Option<&str>, owner: &str, name: &str) -> Option<RepoUrl> {
        Some(RepoUrl {
            host: host.map(str::to_string),
            owner: owner.into(),
            name: name.into(),
        })
    }

    #[test]
    fn every_remote_form() {
        let gh = repo(Some("github.com"), "kubesphere", "kubesphere");
        for url in [
            "https://github.com/kubesphere/kubesphere",
            "https://github.com/kubesphere/kubesphere.git",
            "https://github.com/kubesphere/kubesphere/",
            "https://user:secret@github.com/kubesphere/kubesphere.git",
            "HTTPS://GitHub.com/kubesphere/kubesphere.git",
            "http://github.com:80/kubesphere/kubesphere",
            "git@github.com:kubesphere/kubesphere.git",
            "git@github.com:kubesphere/kubesphere",
            "github.com:kubesphere/kubesphere.git",
            "ssh://git@github.com/kubesphere/kubesphere.git",
            "ssh://git@ssh.github.com:443/kubesphere/kubesphere.git",
            "ssh://github.com/kubesphere/kubesphere",
            "git+ssh://git@github.com/kubesphere/kubesphere.git",
            "git://github.com/kubesphere/kubesphere.git",
        ] {
            assert_eq!(parse_remote_url(url), gh, "{url}");
        }
    }

    #[test]
    fn enterprise_hosts_and_ports() {
        assert_eq!(
            parse_remote_url("ssh://git@ghe.example.com:2222/org/repo.git"),
            repo(Some("ghe.example.com"), "org", "repo")
        );
        assert_eq!(
            parse_remote_url("https://[::1]:8080/org/repo"),
            repo(Some("::1"), "org", "repo")
        );
        assert_eq!(parse_remote_url("git@[::1]:org/repo"), repo(Some("::1"), "org", "repo"));
    }

    #[test]
    fn local_paths_use_last_two_components() {
        assert_eq!(
            parse_remote_url("/srv/git/alice/kubesphere.git"),
            repo(None, "alice", "kubesphere")
        );
        assert_eq!(
            parse_remote_url("../alice/kubesphere/"),
            repo(None, "alice", "kubesphere")
        );
        assert_eq!(
            parse_remote_url("file:///srv/alice/kubesphere.git"),
            repo(None, "alice", "kubesphere")
        );
        assert_eq!(parse_remote_url("C:\\repos\\alice\\k.git"), repo(None, "alice", "k"));
    }

    #[test]
    fn scp_like_hosts_need_no_user() {
        assert_eq!(parse_remote_url("gitlab:o/n.git"), repo(Some("gitlab"), "o", "n"));
    }

    #[test]
    fn dot_components_and_empty_names_are_rejected() {
        for url in [
            "/srv/a/.git",
            "/srv/~/b",
            "/srv/a/.",
            "/srv/a/..",
            "/srv/./b",
            "/srv/../b",
        ] {
            assert_eq!(parse_remote_url(url), None, "{url:?}");
        }
    }

    #[test]
    fn nonsense_is_rejected() {
        for url in [
            "",
            "   ",
            "kubesphere",
            "https://github.com/",
            "https://github.com/only",
            "git@github.com:",
            ":a/b",
            "/",
            "../..",
            "a b://x/y/z",
        ] {
            assert_eq!(parse_remote_url(url), None, "{url:?}");
        }
    }

    #[test]
    fn same_repo_ignores_case_and_local_hosts() {
        let a = parse_remote_url("git@github.com:Kubesphere/KubeSphere.git").unwrap();
        let b = parse_remote_url("https://github.com/kubesphere/kubesphere").unwrap();
        let c = parse_remote_url("https://ghe.example.com/kubesphere/kubesphere").unwrap();
        let d = parse_remote_url("git@github.com:alice/kubesphere.git").unwrap();
        assert!(a.same_repo(&b));
        let local = parse_remote_url("/srv/kubesphere/kubesphere.git").unwrap();
        assert!(local.same_repo(&b) && b.same_repo(&local));
        assert!(!local.same_repo(&d));
        assert!(!a.same_repo(&c));
        assert!(!a.same_repo(&d));
        assert_eq!(a.slug(), "Kubesphere/KubeSphere");
        assert_eq!(d.to_string(), "alice/kubesphere");
    }

    #[test]
    fn web_hosts_of_api_urls() {
        for host in ["github.com", "octo.ghe.com", "git.corp.example"] {
            assert_eq!(web_host_for_api(&api_url_for_host(Some(host))), host);
        }
        assert_eq!(web_host_for_api("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(web_host_for_api("https://[::1]:1/api/v3"), "::1");
        assert_eq!(web_host_for_api("https://API.GitHub.com/"), "github.com");
        assert_eq!(
            web_host_for_api("https://me@GHE.example.com:8443/api/v3?x#y"),
            "ghe.example.com"
        );
        assert_eq!(web_host_for_api(""), "github.com");
    }

    #[test]
    fn api_urls() {
        assert_eq!(api_url_for_host(Some("github.com")), "https://api.github.com");
        assert_eq!(api_url_for_host(None), "https://api.github.com");
        assert_eq!(api_url_for_host(Some("octo.ghe.com")), "https://api.octo.ghe.com");
        assert_eq!(
            api_url_for_host(Some("git.corp.example")),
            "https://git.corp.example/api/v3"
        );
    }

    mod never_panic {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn on_any_string(text in any::<String>()) {
                let _ = parse_remote_url(&text);
            }

            #[test]
            fn on_url_like_strings(
                text in r"([a-z+]{0,6}://)?([a-z]{0,3}@)?(\[[0-9a-f:]{0,6}\]?|[a-zA-Z.\-]{0,8})(:[0-9]{0,5})?[:/]?([~a-zA-Z0-9_.\-/\\#?:@\[\]]{0,24})"
            ) {
                if let Some(repo) = parse_remote_url(&text) {
                    prop_assert!(!repo.owner.is_empty() && !repo.name.is_empty());
                }
            }
        }
    }
}
