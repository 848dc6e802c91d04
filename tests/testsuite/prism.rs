//! The Prism mode's judge of answers (see `support::prism`): an answer of the
//! fake that breaks GitHub's description is reported, and fails the test
//! unless the test made it; Prism's warnings are no violations. Without
//! Prism, only the reading of its log is tested.

use std::io::{Read, Write};
use std::panic::AssertUnwindSafe;

use crate::support::prism::is_violation;
use crate::support::{TOKEN, World};

/// `GET path` through Prism, answered.
fn get(world: &World, path: &str) {
    let address = world.api_url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\nAccept: application/vnd.github+json\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// A pull request whose answer lacks `node_id`, which the description requires.
fn without_node_id(world: &World) {
    world.simple_pr(3796, "Fix the widget", 3);
    world.github.edit_pull(3796, "node_id", None);
    get(world, "/repos/kubesphere/kubesphere/pulls/3796");
}

#[test]
fn prism_reports_an_answer_that_breaks_the_description() {
    let world = World::new();
    let Some(prism) = &world.prism else {
        return;
    };
    without_node_id(&world);
    let violations = prism.violations();
    assert!(
        violations
            .iter()
            .any(|v| v.contains("Violation: response.body") && v.contains("node_id")),
        "{violations:?}"
    );
}

#[test]
fn an_answer_that_breaks_the_description_fails_the_test_unless_the_test_made_it() {
    let world = World::new();
    if world.prism.is_none() {
        return;
    }
    without_node_id(&world);
    // Made by the test: not held against it.
    let made = World::new();
    without_node_id(&made);
    drop(made);
    // As if the fake itself had answered so.
    world.github.state.lock().unwrap().departed = false;
    let dropped = std::panic::catch_unwind(AssertUnwindSafe(move || drop(world)));
    let panic = dropped.expect_err("the answer without node_id fails the test");
    let message = (panic.downcast_ref::<String>().cloned()).unwrap_or_default();
    assert!(
        message.contains("break GitHub's API description") && message.contains("node_id"),
        "{message}"
    );
}

#[test]
fn a_violation_is_a_request_or_an_answer_in_error() {
    let line = |rest: &str| format!("[10:00:00 AM] › [VALIDATOR] {rest}");
    assert!(is_violation(&line(
        "⚠  warning   Violation: request.query.per_page must be integer"
    )));
    assert!(is_violation(&line(
        "✖  error     Violation: response.body must have required property 'url'"
    )));
    assert!(!is_violation(&line(
        "⚠  warning   Violation: response Unable to match the returned status code with those defined in the document: 200,304"
    )));
    assert!(!is_violation(&line("ℹ  info      Request received")));
}
