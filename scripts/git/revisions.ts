// What a revision names: its commit, its tree, its first parent. The one commit resolver of the
// toolkit; `check`, `plan`, `deploy`, `status` and onboarding all ask it.
import { GitError, runGit } from './exec.js';

export interface ResolveOptions {
  /**
   * Also try `rev` as a branch: `refs/heads/<rev>`, then `refs/remotes/<remote>/<rev>`
   * (onboarding reads branches that may exist here only as fetched from the remote).
   */
  remote?: string;
  /**
   * Let a git that fails to run (not a revision git does not know) throw, as onboarding wants;
   * otherwise that answers undefined too, and the caller reports "not a commit".
   */
  throwGitErrors?: boolean;
}

/** The revisions to try for `rev`, in order. */
function candidates(rev: string, remote: string | undefined): string[] {
  if (remote === undefined) return [rev];
  const list = rev.startsWith('refs/') ? [rev] : [rev, `refs/heads/${rev}`];
  if (!rev.startsWith('refs/remotes/'))
    list.push(`refs/remotes/${remote}/${rev.replace(/^refs\/heads\//, '')}`);
  return list;
}

/** The commit `rev` names, or undefined when it names none. */
export async function resolveCommit(
  root: string,
  rev: string,
  opts: ResolveOptions = {},
): Promise<string | undefined> {
  for (const c of candidates(rev, opts.remote)) {
    try {
      const r = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${c}^{commit}`], {
        cwd: root,
        okCodes: [1, 128],
      });
      const oid = r.stdout.toString('utf8').trim();
      if (r.code === 0 && oid) return oid;
    } catch (err) {
      if (opts.throwGitErrors || !(err instanceof GitError)) throw err;
    }
  }
  return undefined;
}

/** A revision the user gave that names no commit here: a usage mistake, with its fix. */
export class RevisionError extends Error {
  readonly hint =
    'give a branch, tag or commit id of this repository (`git log --oneline --all` lists them; `git fetch` first if it is on the remote)';
  constructor(readonly rev: string) {
    super(`${JSON.stringify(rev)} is not a commit of this repository`);
    this.name = 'RevisionError';
  }
}

/** The commit `rev` names; an error a user can read when it names none. */
export async function requireCommit(root: string, rev: string): Promise<string> {
  const oid = await resolveCommit(root, rev);
  if (oid === undefined) throw new RevisionError(rev);
  return oid;
}

export async function treeOf(root: string, commit: string): Promise<string> {
  return (await runGit(['rev-parse', `${commit}^{tree}`], { cwd: root })).stdout.toString('utf8').trim();
}

export async function parentOf(root: string, commit: string): Promise<string | undefined> {
  const r = await runGit(['rev-parse', '--verify', '--quiet', `${commit}^1`], {
    cwd: root,
    okCodes: [1, 128],
  });
  const oid = r.stdout.toString('utf8').trim();
  return r.code === 0 && oid ? oid : undefined;
}
