// Branches to and from a remote, for the branches onboarding and retiring publish (through
// simple-git: off the hook's hot path).
import { simpleGitRun } from './simple-git.js';

/** Pushes `commit` as `branch` to `remote` (the branch is generated: a newer run replaces it). */
export async function pushBranch(
  root: string,
  remote: string,
  commit: string,
  branch: string,
): Promise<void> {
  await simpleGitRun(root, ['push', '--quiet', '--force', remote, `${commit}:refs/heads/${branch}`]);
}

export async function fetchBranch(root: string, remote: string, branch: string): Promise<void> {
  await simpleGitRun(root, [
    'fetch',
    '--quiet',
    remote,
    `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`,
  ]);
}

export async function hasRemote(root: string, remote: string): Promise<boolean> {
  const r = await simpleGitRun(root, ['remote']);
  return r.stdout.split('\n').includes(remote);
}

/** Fetches `branch` from `remote` when it exists there; false when it does not. */
export async function fetchIfExists(root: string, remote: string, branch: string): Promise<boolean> {
  const r = await simpleGitRun(
    root,
    ['fetch', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`],
    [128],
  );
  return r.code === 0;
}
