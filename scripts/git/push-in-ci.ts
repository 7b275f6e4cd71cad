// A push whose output belongs in a CI job's log: `tappaas options-index --publish` runs in CI
// and pushes to the git server, whose hook answers with `remote:` lines. On an Actions runner
// (GITHUB_ACTIONS=true, Gitea's too) @actions/exec streams the command line and git's output
// into the log as they come, on stderr (stdout may carry --json); elsewhere the push is as
// quiet as before. A failure is the GitError runGit gives, so callers handle one kind.
import { GitError } from './exec.js';

export async function pushInCi(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  const { getExecOutput } = await import('@actions/exec');
  const argv = ['push', ...args];
  const r = await getExecOutput('git', argv, {
    cwd,
    ignoreReturnCode: true,
    silent: env.GITHUB_ACTIONS !== 'true',
    outStream: process.stderr,
    errStream: process.stderr,
  });
  if (r.exitCode !== 0) throw new GitError(argv, r.exitCode, r.stderr);
}
