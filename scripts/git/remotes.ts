// Branches to and from a remote, for the branches onboarding and retiring publish.
import { runGit } from './exec.js';

/** Pushes `commit` as `branch` to `remote` (the branch is generated: a newer run replaces it). */
export async function pushBranch(
  root: string,
  remote: string,
  commit: string,
  branch: string,
): Promise<void> {
  await runGit(['push', '--quiet', '--force', remote, `${commit}:refs/heads/${branch}`], { cwd: root });
}

export async function fetchBranch(root: string, remote: string, branch: string): Promise<void> {
  await runGit(['fetch', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`], {
    cwd: root,
  });
}

export async function hasRemote(root: string, remote: string): Promise<boolean> {
  const r = await runGit(['remote'], { cwd: root });
  return r.stdout.toString('utf8').split('\n').includes(remote);
}

/** Fetches `branch` from `remote` when it exists there; false when it does not. */
export async function fetchIfExists(root: string, remote: string, branch: string): Promise<boolean> {
  const r = await runGit(
    ['fetch', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`],
    {
      cwd: root,
      okCodes: [128],
    },
  );
  return r.code === 0;
}
