#!/usr/bin/env bash
# Installs git-cherry-pick-pr, its man page and its shell completions under a
# prefix, without root:
#
#   ./install.sh [PREFIX]        (default: $PREFIX, else ~/.local)
#
# It builds the release binary with cargo unless BINARY names one to install.
set -euo pipefail

prefix="${1:-${PREFIX:-$HOME/.local}}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

if [ -z "${BINARY:-}" ]; then
    cargo build --release --locked --bin git-cherry-pick-pr
    BINARY="${CARGO_TARGET_DIR:-$here/target}/release/git-cherry-pick-pr"
fi

install -Dm755 "$BINARY" "$prefix/bin/git-cherry-pick-pr"
install -Dm644 man/man1/git-cherry-pick-pr.1 "$prefix/share/man/man1/git-cherry-pick-pr.1"
install -Dm644 completions/git-cherry-pick-pr.bash "$prefix/share/bash-completion/completions/git-cherry-pick-pr"
install -Dm644 completions/_git-cherry-pick-pr "$prefix/share/zsh/site-functions/_git-cherry-pick-pr"
install -Dm644 completions/git-cherry-pick-pr.fish "$prefix/share/fish/vendor_completions.d/git-cherry-pick-pr.fish"
install -Dm644 completions/git-cherry-pick-pr.conf.fish "$prefix/share/fish/vendor_conf.d/git-cherry-pick-pr.fish"
install -Dm644 completions/_git-cherry-pick-pr.ps1 "$prefix/share/git-cherry-pick-pr/_git-cherry-pick-pr.ps1"
install -Dm644 completions/git-cherry-pick-pr.elv "$prefix/share/git-cherry-pick-pr/git-cherry-pick-pr.elv"

cat <<MSG
Installed under $prefix:
  $prefix/bin/git-cherry-pick-pr                      (git finds it as \`git cherry-pick-pr\`)
  $prefix/share/man/man1/git-cherry-pick-pr.1         (\`man git-cherry-pick-pr\`, \`git cherry-pick-pr --help\`)
  $prefix/share/bash-completion/completions/          (bash, with the bash-completion package)
  $prefix/share/zsh/site-functions/                   (zsh)
  $prefix/share/fish/vendor_completions.d/            (fish; vendor_conf.d/ hooks it into git's)
  $prefix/share/git-cherry-pick-pr/                   (PowerShell and elvish scripts, to source yourself)
MSG
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "hint: add $prefix/bin to PATH" ;;
esac
