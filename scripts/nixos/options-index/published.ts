// Options indexes published in the repository itself, for the git server: the hook has no CI
// cache and cannot run Nix for a push, so CI stores each flake revision's indexes as a commit
// under `refs/tappaas/options-index/<key>` (the key of cache.ts: the hash of flake.lock, or of
// flake.nix) and the hook reads the one that matches the pushed revision. Only CI identities
// may push there (policy/verdicts.ts).
import { basename } from 'node:path';
import { runGit } from '../../git/exec.js';
import { pushInCi } from '../../git/push-in-ci.js';

export const PUBLISHED_PREFIX = 'refs/tappaas/options-index/';

export function publishedRef(key: string): string {
  return `${PUBLISHED_PREFIX}${key}`;
}

/** A fixed identity for the index commit: its content is what matters, not who wrote it. */
const COMMITTER = {
  GIT_AUTHOR_NAME: 'tappaas options-index',
  GIT_AUTHOR_EMAIL: 'options-index@tappaas.invalid',
  GIT_COMMITTER_NAME: 'tappaas options-index',
  GIT_COMMITTER_EMAIL: 'options-index@tappaas.invalid',
};

/**
 * Stores the index files as a commit (one blob per host, a flat tree) in the repository at
 * `cwd`, and pushes it to `remote` as `refs/tappaas/options-index/<key>` (in CI, into the job's
 * log: git/push-in-ci.ts). Returns the ref and the commit.
 */
export async function publishIndexes(
  cwd: string,
  key: string,
  files: readonly string[],
  remote: string,
  env: Record<string, string | undefined> = process.env,
): Promise<{ ref: string; commit: string }> {
  const blobs = await runGit(['hash-object', '-w', '--', ...files], { cwd });
  const oids = blobs.stdout.toString('utf8').trim().split('\n');
  const entries = files.map((f, i) => `100644 blob ${oids[i]}\t${basename(f)}`).join('\n');
  const tree = (await runGit(['mktree'], { cwd, input: `${entries}\n` })).stdout.toString('utf8').trim();
  const committer = { ...process.env, ...COMMITTER };
  const commit = (
    await runGit(['commit-tree', tree, '-m', `options index for flake revision ${key}`], {
      cwd,
      env: committer,
    })
  ).stdout
    .toString('utf8')
    .trim();
  const ref = publishedRef(key);
  await pushInCi(cwd, ['--quiet', remote, `${commit}:${ref}`], env);
  return { ref, commit };
}
