
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'git-cherry-pick-pr' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'git-cherry-pick-pr'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'git-cherry-pick-pr' {
            [CompletionResult]::new('--upstream', '--upstream', [CompletionResultType]::ParameterName, 'The remote to fetch targets and pull requests from')
            [CompletionResult]::new('--fork', '--fork', [CompletionResultType]::ParameterName, 'Your fork''s remote, where the branch is pushed')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD after applying, and commit what it changed')
            [CompletionResult]::new('--pick', '--pick', [CompletionResultType]::ParameterName, 'What to pick of each pull request: its own commits, or what landed')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Your GitHub login, the owner of the fork')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The upstream repository, where the pull request is opened')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The GitHub REST API base URL')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'A label to add to the new pull request (repeatable)')
            [CompletionResult]::new('--auto-merge', '--auto-merge', [CompletionResultType]::ParameterName, 'Merge the pull request by itself once it may be merged')
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'Put TEXT in the body as the justification for the pick, without an editor')
            [CompletionResult]::new('--why-file', '--why-file', [CompletionResultType]::ParameterName, 'Put the contents of FILE in the body as the justification, as `--why` does')
            [CompletionResult]::new('--reviewer', '--reviewer', [CompletionResultType]::ParameterName, 'Request a review of the new pull request from LOGIN (repeatable)')
            [CompletionResult]::new('--milestone', '--milestone', [CompletionResultType]::ParameterName, 'Set the milestone of the new pull request: `auto`, or its title')
            [CompletionResult]::new('--copy-labels', '--copy-labels', [CompletionResultType]::ParameterName, 'Copy the source pull requests'' labels that match PATTERN (repeatable)')
            [CompletionResult]::new('--candidate-label', '--candidate-label', [CompletionResultType]::ParameterName, 'The label that makes a merged pull request a candidate for a target (repeatable): `{branch}` is the target branch')
            [CompletionResult]::new('--allowed-associations', '--allowed-associations', [CompletionResultType]::ParameterName, 'The `author_association`s whose `/cherrypick` comments count, comma separated')
            [CompletionResult]::new('--generate', '--generate', [CompletionResultType]::ParameterName, 'Print the man page or a shell''s completion script, generated from this definition')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Apply on a local branch, then stop: push nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Push and open the pull request without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Push and open the pull request without asking')
            [CompletionResult]::new('--regenerate-docs', '--regenerate-docs', [CompletionResultType]::ParameterName, 'Run `hack/generate-docs.sh` after applying (as `--exec` does)')
            [CompletionResult]::new('--signoff', '--signoff', [CompletionResultType]::ParameterName, 'Add a Signed-off-by trailer to each picked commit (`git am --signoff`)')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'End each picked commit''s message with `(cherry picked from commit <sha>)`, as `git cherry-pick -x` does')
            [CompletionResult]::new('--allow-unmerged', '--allow-unmerged', [CompletionResultType]::ParameterName, 'Pick pull requests that are not merged yet')
            [CompletionResult]::new('--with-prerequisites', '--with-prerequisites', [CompletionResultType]::ParameterName, 'Also pick the earlier pull requests each one needs')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Push over commits that others added to the fork branch')
            [CompletionResult]::new('--no-label', '--no-label', [CompletionResultType]::ParameterName, 'Add no label to the new pull request')
            [CompletionResult]::new('--draft', '--draft', [CompletionResultType]::ParameterName, 'Open the pull request as a draft')
            [CompletionResult]::new('--edit', '--edit', [CompletionResultType]::ParameterName, 'Edit the title and body before anything is pushed')
            [CompletionResult]::new('--critical', '--critical', [CompletionResultType]::ParameterName, 'Mark the pick as a fix of a critical bug (data loss, memory corruption, a panic, crash or hang, security)')
            [CompletionResult]::new('--reviewers-from-source', '--reviewers-from-source', [CompletionResultType]::ParameterName, 'Request a review from those who approved the source pull requests')
            [CompletionResult]::new('--assign-author', '--assign-author', [CompletionResultType]::ParameterName, 'Assign the new pull request to the source pull requests'' authors')
            [CompletionResult]::new('--comment-source', '--comment-source', [CompletionResultType]::ParameterName, 'Comment on each source pull request with a link to the new one')
            [CompletionResult]::new('--missing', '--missing', [CompletionResultType]::ParameterName, 'List the merged pull requests that still need backporting to each TARGET, and do nothing else')
            [CompletionResult]::new('--from-labels', '--from-labels', [CompletionResultType]::ParameterName, 'Backport every missing candidate (as `--missing` lists them): one pull request per source pull request per target')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Choose on the terminal which pull requests to backport: the missing candidates (checked), then recently merged pull requests without the label; each chosen one is backported as with `--from-labels`')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Choose on the terminal which pull requests to backport: the missing candidates (checked), then recently merged pull requests without the label; each chosen one is backported as with `--from-labels`')
            [CompletionResult]::new('--continue', '--continue', [CompletionResultType]::ParameterName, 'Finish a run that stopped on conflicts: complete `git am`, apply the remaining pull requests, push and open the pull request')
            [CompletionResult]::new('--abort', '--abort', [CompletionResultType]::ParameterName, 'Give up a run that stopped: remove its worktree and branch and forget it')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Show what is in progress: target, pull requests applied and left, the worktree, and what to run next')
            [CompletionResult]::new('--from-event', '--from-event', [CompletionResultType]::ParameterName, 'Act on the GitHub Actions event that started this workflow run')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the jobs as JSON on stdout, not the URLs')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Log every git command, HTTP request and setting')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: all options, in full)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: all options, in full)')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print the version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print the version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
