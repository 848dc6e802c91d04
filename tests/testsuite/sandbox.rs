//! The sandbox example's run (`cargo run --example sandbox`) works.

#[test]
fn the_sandbox_backports_and_shows_what_it_did() {
    let shown = crate::support::sandbox::run();
    assert_eq!(shown.code, 0, "{}", shown.text);
    for expected in [
        "stdout: https://github.com/kubesphere/kubesphere/pull/9000",
        "The fork's branch automated-cherry-pick-of-#3796-upstream-release-3.1:",
        "Fix the widget (Test User)",
        "title:  Automated cherry pick of #3796: Fix the widget",
        "labels: do-not-merge/cherry-pick-not-approved",
        "    Cherry pick of #3796 on release-3.1.",
    ] {
        assert!(
            shown.text.contains(expected),
            "{expected:?} missing from:\n{}",
            shown.text
        );
    }
}
