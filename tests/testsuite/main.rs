//! One test binary for every integration test: real git repositories in temp
//! dirs and a fake GitHub on 127.0.0.1.

mod support;

mod auto_merge;
mod bad_input;
mod candidates;
mod conflicts;
mod event;
mod fanout;
mod generated;
mod hardening;
mod help;
mod install;
mod integrity;
mod interrupts;
mod json;
mod landed;
mod layers;
mod locale;
mod many;
mod network;
mod overwrite;
mod pacing;
mod pick;
mod policy;
mod prerequisites;
mod prism;
mod push;
mod readme;
mod release;
mod sandbox;
mod screen;
mod snapshots;
mod the_case;
mod untrusted;
mod upstream_remote;
mod worktree;
