
use builtin;
use str;

set edit:completion:arg-completer[git-cherry-pick-pr] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'git-cherry-pick-pr'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'git-cherry-pick-pr'= {
            cand --upstream 'The remote to fetch targets and pull requests from'
            cand --fork 'Your fork''s remote, where the branch is pushed'
            cand --exec 'Run CMD after applying, and commit what it changed'
            cand --pick 'What to pick of each pull request: its own commits, or what landed'
            cand --user 'Your GitHub login, the owner of the fork'
            cand --repo 'The upstream repository, where the pull request is opened'
            cand --api-url 'The GitHub REST API base URL'
            cand --label 'A label to add to the new pull request (repeatable)'
            cand --auto-merge 'Merge the pull request by itself once it may be merged'
            cand --why 'Put TEXT in the body as the justification for the pick, without an editor'
            cand --why-file 'Put the contents of FILE in the body as the justification, as `--why` does'
            cand --reviewer 'Request a review of the new pull request from LOGIN (repeatable)'
            cand --milestone 'Set the milestone of the new pull request: `auto`, or its title'
            cand --copy-labels 'Copy the source pull requests'' labels that match PATTERN (repeatable)'
            cand --candidate-label 'The label that makes a merged pull request a candidate for a target (repeatable): `{branch}` is the target branch'
            cand --allowed-associations 'The `author_association`s whose `/cherrypick` comments count, comma separated'
            cand --generate 'Print the man page or a shell''s completion script, generated from this definition'
            cand --dry-run 'Apply on a local branch, then stop: push nothing'
            cand -y 'Push and open the pull request without asking'
            cand --yes 'Push and open the pull request without asking'
            cand --regenerate-docs 'Run `hack/generate-docs.sh` after applying (as `--exec` does)'
            cand --signoff 'Add a Signed-off-by trailer to each picked commit (`git am --signoff`)'
            cand -x 'End each picked commit''s message with `(cherry picked from commit <sha>)`, as `git cherry-pick -x` does'
            cand --allow-unmerged 'Pick pull requests that are not merged yet'
            cand --with-prerequisites 'Also pick the earlier pull requests each one needs'
            cand --force 'Push over commits that others added to the fork branch'
            cand --no-label 'Add no label to the new pull request'
            cand --draft 'Open the pull request as a draft'
            cand --edit 'Edit the title and body before anything is pushed'
            cand --critical 'Mark the pick as a fix of a critical bug (data loss, memory corruption, a panic, crash or hang, security)'
            cand --reviewers-from-source 'Request a review from those who approved the source pull requests'
            cand --assign-author 'Assign the new pull request to the source pull requests'' authors'
            cand --comment-source 'Comment on each source pull request with a link to the new one'
            cand --missing 'List the merged pull requests that still need backporting to each TARGET, and do nothing else'
            cand --from-labels 'Backport every missing candidate (as `--missing` lists them): one pull request per source pull request per target'
            cand -i 'Choose on the terminal which pull requests to backport: the missing candidates (checked), then recently merged pull requests without the label; each chosen one is backported as with `--from-labels`'
            cand --select 'Choose on the terminal which pull requests to backport: the missing candidates (checked), then recently merged pull requests without the label; each chosen one is backported as with `--from-labels`'
            cand --continue 'Finish a run that stopped on conflicts: complete `git am`, apply the remaining pull requests, push and open the pull request'
            cand --abort 'Give up a run that stopped: remove its worktree and branch and forget it'
            cand --status 'Show what is in progress: target, pull requests applied and left, the worktree, and what to run next'
            cand --from-event 'Act on the GitHub Actions event that started this workflow run'
            cand --json 'Print the jobs as JSON on stdout, not the URLs'
            cand --debug 'Log every git command, HTTP request and setting'
            cand -h 'Print help (--help: all options, in full)'
            cand --help 'Print help (--help: all options, in full)'
            cand -V 'Print the version'
            cand --version 'Print the version'
        }
    ]
    $completions[$command]
}
