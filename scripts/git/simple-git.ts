// simple-git runs the git work of onboarding and retiring (reading a registration branch,
// fetching and pushing the branches they publish), off the hook's hot path: git/exec.ts says
// why that one spawns git itself. A failure becomes the same GitError as runGit's, with git's
// exit code, so callers handle one kind of git error.
import { simpleGit } from 'simple-git';
import { GitError } from './exec.js';

/** `git <args>` in `root`: its exit code and stdout; `okCodes` are exit codes that answer rather than fail. */
export async function simpleGitRun(
  root: string,
  args: string[],
  okCodes: number[] = [],
): Promise<{ code: number; stdout: string }> {
  let code: number | undefined;
  let stderr = '';
  const git = simpleGit({
    baseDir: root,
    errors(error, result) {
      code = result.exitCode;
      stderr = Buffer.concat(result.stdErr).toString('utf8');
      if (error) return error;
      if (code === 0 || okCodes.includes(code)) return undefined;
      return Buffer.from(stderr);
    },
  });
  try {
    const stdout = await git.raw(args);
    return { code: code ?? 0, stdout };
  } catch (err) {
    // simple-git fails a `fatal:` exit 128 whatever the error handler says.
    if (code !== undefined && okCodes.includes(code)) return { code, stdout: '' };
    throw new GitError(args, code ?? null, stderr || (err as Error).message);
  }
}
