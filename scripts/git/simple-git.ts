// simple-git runs the git work of onboarding, off the hook's hot path (there git/exec.ts spawns
// git itself). A failure becomes the same GitError as runGit's, with git's exit code, so the
// callers handle one kind of git error.
import { simpleGit } from 'simple-git';
import { GitError } from './exec.js';

/** stdout of `git <args>` in `root`; `okCodes` are exit codes that answer rather than fail. */
export async function simpleGitOutput(root: string, args: string[], okCodes: number[] = []): Promise<string> {
  let failure: { code: number; stderr: string } | undefined;
  const git = simpleGit({
    baseDir: root,
    errors(error, result) {
      if (error) return error;
      if (result.exitCode === 0 || okCodes.includes(result.exitCode)) return undefined;
      failure = { code: result.exitCode, stderr: Buffer.concat(result.stdErr).toString('utf8') };
      return Buffer.from(failure.stderr);
    },
  });
  try {
    return await git.raw(args);
  } catch (err) {
    throw new GitError(args, failure?.code ?? null, failure?.stderr ?? (err as Error).message);
  }
}
