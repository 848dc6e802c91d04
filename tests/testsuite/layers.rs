//! The house's layering, read from `src/` with the standard library only:
//! every `crate::…`, `super::…` and `self::…` path (in `use` trees, groups
//! included, and in code), and every path through a child module, is an
//! edge from the file that writes it to the file that defines the module it
//! names. No cycle among files, none among folders, no folder that uses one
//! above it in `ORDER`, and few files at the top of `src/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The folders, top to bottom; each may use only those after it. `main` is
/// `src/main.rs`; `floor` is the files at the top of `src/`, which may use
/// each other (but not in a cycle).
const ORDER: &[&str] = &[
    "main", "commands", "run", "stages", "plan", "cli", "github", "git", "floor",
];

/// How many files besides `main.rs` may sit at the top of `src/`.
const TOP_FILES: usize = 7;

#[test]
fn the_source_follows_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = read_tree(&src);
    let problems = check(&files);
    assert!(
        problems.is_empty(),
        "src/ breaks its layering:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn each_folder_says_what_lives_there_and_what_it_may_use() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for folder in &ORDER[1..ORDER.len() - 1] {
        let text = fs::read_to_string(src.join(folder).join("mod.rs")).unwrap_or_default();
        let doc: Vec<&str> = text.lines().take_while(|l| l.starts_with("//!")).collect();
        let doc = doc.join(" ");
        // What lives there, and what it may use: a paragraph that names its
        // neighbours' rules ("may use", "uses", "never").
        let says_use = ["may use", " uses ", "never"].iter().any(|w| doc.contains(w));
        if doc.len() < 80 || !says_use {
            missing.push(format!("src/{folder}/mod.rs"));
        }
    }
    assert!(
        missing.is_empty(),
        "no //! paragraph saying what lives there and what it may use: {missing:?}"
    );
}

/// Every file of `src/`, by its path relative to `src/`, with its text.
fn read_tree(src: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, src: &Path, files: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, src, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel: PathBuf = path.strip_prefix(src).unwrap().into();
                let rel = rel.to_str().unwrap().replace('\\', "/");
                files.insert(rel, fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(src, src, &mut files);
    files
}

/// What is wrong with `files` (paths relative to `src/` → text).
fn check(files: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let top: Vec<&String> = files.keys().filter(|f| !f.contains('/') && *f != "main.rs").collect();
    if top.len() > TOP_FILES {
        problems.push(format!(
            "{} files beside main.rs at the top of src/ (at most {TOP_FILES}): {top:?}",
            top.len()
        ));
    }
    let edges = file_edges(files);
    for cycle in cycles(&edges) {
        problems.push(format!("file cycle: {}", cycle.join(" → ")));
    }
    let mut folder_edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut why: BTreeMap<(String, String), String> = BTreeMap::new();
    for (from, tos) in &edges {
        for to in tos {
            let (a, b) = (folder_of(from), folder_of(to));
            if a != b {
                why.entry((a.clone(), b.clone()))
                    .or_insert_with(|| format!("{from} uses {to}"));
                folder_edges.entry(a).or_default().insert(b);
            }
        }
    }
    for cycle in cycles(&folder_edges) {
        problems.push(format!("folder cycle: {}", cycle.join(" → ")));
    }
    for ((a, b), example) in &why {
        match (ORDER.iter().position(|f| f == a), ORDER.iter().position(|f| f == b)) {
            (Some(i), Some(j)) if i < j => {}
            (Some(_), Some(_)) => problems.push(format!("{a} uses {b}, which is above it ({example})")),
            _ => problems.push(format!(
                "{a} uses {b}, and one of them is not in the declared order ({example})"
            )),
        }
    }
    problems
}

/// `main`, `floor`, or the folder a file is in.
fn folder_of(file: &str) -> String {
    match file.split_once('/') {
        Some((folder, _)) => folder.to_string(),
        None if file == "main.rs" => "main".to_string(),
        None => "floor".to_string(),
    }
}

/// The module path a file defines: `main.rs` → `[]`, `run/mod.rs` → `[run]`,
/// `run/flow.rs` → `[run, flow]`.
fn module_of(file: &str) -> Vec<String> {
    let file = file.strip_suffix(".rs").unwrap();
    let mut parts: Vec<String> = file.split('/').map(String::from).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "main" | "lib")) {
        parts.pop();
    }
    parts
}

/// For each file, the files whose modules it names.
fn file_edges(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeMap<Vec<String>, String> = files.keys().map(|f| (module_of(f), f.clone())).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in files {
        let entry = edges.entry(file.clone()).or_default();
        for path in paths(&module_of(file), &tokens(text), &modules) {
            // The longest prefix that is a file's module.
            let target = (0..=path.len()).rev().find_map(|n| modules.get(&path[..n]));
            if let Some(target) = target.filter(|t| *t != file) {
                entry.insert(target.clone());
            }
        }
    }
    edges
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Path, // ::
    Punct(char),
}

/// Rust source as identifiers, `::` and punctuation, without comments,
/// strings, chars or numbers.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' || ((c == 'r' || c == 'b') && raw_string_start(&chars, i).is_some()) {
            i = skip_string(&chars, i);
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `$crate` in a macro is not this crate's path as written here.
            if !(start > 0 && chars[start - 1] == '$') {
                out.push(Token::Ident(word.trim_start_matches("r#").to_string()));
            }
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token::Path);
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(Token::Punct(c));
            }
            i += 1;
        }
    }
    out
}

/// Where a raw or byte string starting at `i` opens (`r"`, `r#"`, `b"`,
/// `br#"`): the number of `#`s.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    let raw = chars.get(j) == Some(&'r');
    if raw {
        j += 1;
    }
    let mut hashes = 0;
    while raw && chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (j > i && chars.get(j) == Some(&'"')).then_some(hashes)
}

/// The index after the string literal that starts at `i`.
fn skip_string(chars: &[char], i: usize) -> usize {
    let hashes = raw_string_start(chars, i);
    let mut j = i;
    while chars[j] != '"' {
        j += 1;
    }
    j += 1;
    match hashes {
        Some(n) if chars[i..j].contains(&'r') => {
            let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', n)).collect();
            while j < chars.len() && !chars[j..].starts_with(&close) {
                j += 1;
            }
            j + close.len()
        }
        _ => {
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            j + 1
        }
    }
}

/// The absolute module paths named in a file whose module is `module`.
fn paths(module: &[String], tokens: &[Token], modules: &BTreeMap<Vec<String>, String>) -> Vec<Vec<String>> {
    let ident = |i: usize| match tokens.get(i) {
        Some(Token::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    let mut found = Vec::new();
    // Inline modules (`mod tests { … }`) open at a brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        let here: Vec<String> = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(m, _)| m.clone()))
            .collect();
        match &tokens[i] {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(w)
                if w == "mod" && ident(i + 1).is_some() && tokens.get(i + 2) == Some(&Token::Punct('{')) =>
            {
                inline.push((ident(i + 1).unwrap().to_string(), depth));
                depth += 1;
                i += 3;
                continue;
            }
            Token::Ident(w) if w == "use" => {
                let end = (i..tokens.len())
                    .find(|&j| tokens[j] == Token::Punct(';'))
                    .unwrap_or(tokens.len());
                for path in use_tree(&tokens[i + 1..end]) {
                    if let Some(abs) = absolute(&here, &path, modules) {
                        found.push(abs);
                    }
                }
                i = end + 1;
                continue;
            }
            Token::Ident(_) if tokens.get(i + 1) == Some(&Token::Path) && (i == 0 || tokens[i - 1] != Token::Path) => {
                let mut path = Vec::new();
                let mut j = i;
                while let Some(word) = ident(j) {
                    path.push(word.to_string());
                    if tokens.get(j + 1) != Some(&Token::Path) {
                        break;
                    }
                    j += 2;
                }
                if let Some(abs) = absolute(&here, &path, modules) {
                    found.push(abs);
                }
                i = j + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The paths a `use` tree names: `crate::{a, b::{c, d}}` → `crate::a`,
/// `crate::b::c`, `crate::b::d`.
fn use_tree(tokens: &[Token]) -> Vec<Vec<String>> {
    fn tree(tokens: &[Token], i: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let mut path = prefix.to_vec();
        loop {
            match tokens.get(*i) {
                Some(Token::Ident(w)) if w == "as" => {
                    *i += 2;
                    break;
                }
                Some(Token::Ident(w)) => {
                    path.push(w.clone());
                    *i += 1;
                }
                Some(Token::Path) => *i += 1,
                Some(Token::Punct('{')) => {
                    *i += 1;
                    while !matches!(tokens.get(*i), Some(Token::Punct('}')) | None) {
                        tree(tokens, i, &path, out);
                        if tokens.get(*i) == Some(&Token::Punct(',')) {
                            *i += 1;
                        }
                    }
                    *i += 1;
                    return;
                }
                Some(Token::Punct('*')) => {
                    *i += 1;
                    break;
                }
                _ => break,
            }
        }
        out.push(path);
    }
    let mut out = Vec::new();
    let mut i = 0;
    tree(tokens, &mut i, &[], &mut out);
    out
}

/// `path` as written in module `here`, made absolute; `None` for paths into
/// other crates and for names that are not modules of this one.
fn absolute(here: &[String], path: &[String], modules: &BTreeMap<Vec<String>, String>) -> Option<Vec<String>> {
    let mut abs: Vec<String> = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "self" | "super" => here.to_vec(),
        // A child module, named without `self::`.
        child if modules.contains_key(&[here, &[child.to_string()]].concat()) => here.to_vec(),
        _ => return None,
    };
    let mut rest = path
        .iter()
        .skip(usize::from(path[0] == "crate" || path[0] == "self"))
        .peekable();
    while rest.peek().is_some_and(|s| *s == "super") {
        rest.next();
        abs.pop();
    }
    abs.extend(rest.cloned());
    Some(abs)
}

/// Every cycle in `edges`, each named once, as the nodes around it.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            found.push(cycle);
            return;
        }
        if done.contains(node) {
            return;
        }
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, stack, done, found);
        }
        stack.pop();
        done.insert(node.to_string());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, edges, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

#[cfg(test)]
mod self_test {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
    }

    #[test]
    fn reads_every_way_of_naming_a_module() {
        let files = tree(&[
            (
                "main.rs",
                "mod cli; mod run; mod text;\nfn main() { crate::run::go(); }",
            ),
            ("run/mod.rs", "//! x\nmod flow;\npub fn go() { flow::all() }"),
            (
                "run/flow.rs",
                "use crate::{cli::{args, settings::Env}, text as t};\npub fn all() { super::super::text::f() }",
            ),
            ("cli/mod.rs", "pub mod args; pub mod settings;"),
            (
                "cli/args.rs",
                "// crate::run::go() in a comment\nconst S: &str = \"crate::run::go\";\nfn f() { self::g(); }",
            ),
            (
                "cli/settings.rs",
                "pub struct Env; #[cfg(test)] mod tests { use super::*; fn t() { super::super::args::f(); } }",
            ),
            ("text.rs", "pub fn f() {}"),
        ]);
        let edges = file_edges(&files);
        let of = |f: &str| edges[f].iter().cloned().collect::<Vec<_>>();
        assert_eq!(of("main.rs"), ["run/mod.rs"]);
        assert_eq!(of("run/mod.rs"), ["run/flow.rs"]);
        assert_eq!(of("run/flow.rs"), ["cli/args.rs", "cli/settings.rs", "text.rs"]);
        assert_eq!(of("cli/args.rs"), Vec::<String>::new());
        assert_eq!(of("cli/settings.rs"), ["cli/args.rs"]);
        assert_eq!(check(&files), Vec::<String>::new());
    }

    #[test]
    fn catches_a_cycle_between_files() {
        let files = tree(&[
            ("main.rs", "mod cli;"),
            ("cli/mod.rs", "pub mod args; pub mod settings;"),
            ("cli/args.rs", "use crate::cli::settings::Env;"),
            ("cli/settings.rs", "fn f() { super::args::parse() }"),
        ]);
        let problems = check(&files);
        assert_eq!(problems, ["file cycle: cli/args.rs → cli/settings.rs → cli/args.rs"]);
    }

    #[test]
    fn catches_a_cycle_between_folders_and_an_upward_use() {
        let files = tree(&[
            ("main.rs", "mod git; mod github;"),
            ("github/mod.rs", "mod token; use crate::git::Git;"),
            ("github/token.rs", ""),
            ("git/mod.rs", "fn f() { crate::github::token::find() }"),
        ]);
        let problems = check(&files);
        assert_eq!(
            problems,
            [
                "folder cycle: git → github → git",
                "git uses github, which is above it (git/mod.rs uses github/token.rs)",
            ]
        );
    }

    #[test]
    fn counts_the_files_at_the_top() {
        let names = [
            "main.rs", "a.rs", "b.rs", "c.rs", "d.rs", "e.rs", "f.rs", "g.rs", "h.rs",
        ];
        let files = tree(&names.map(|n| (n, "")));
        let problems = check(&files);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("8 files beside main.rs"), "{problems:?}");
    }
}
