// Puts a generated change on its branch (onboard/<host>, retire/<host>) and, when asked, on the
// forge: the branch pushed, ONE pull request to the base opened or updated, ONE marked comment
// with the latest report. A re-run with the same inputs reuses the same commit, so nothing
// changes anywhere.
import { ForgeClient } from '../forge/client.js';
import { type Env, forgeConfigFromEnv } from '../forge/config.js';
import { upsertComment, upsertPull } from '../forge/upsert.js';
import { checkedOutIn, commitTree, type FileChanges, setBranch, treeWith } from '../git/commits.js';
import { fetchIfExists, hasRemote, pushBranch } from '../git/remotes.js';
import { parentOf, resolveCommit, treeOf } from '../git/revisions.js';

export interface PublishedBranch {
  branch: string;
  commit: string;
  /** The branch already held exactly this change on this base. */
  reused: boolean;
}

/**
 * The commit for `tree` on `base`: the branch's current tip when it already is exactly that
 * (locally, or at the remote after a fetch), else a new commit.
 */
export async function commitFor(
  root: string,
  branch: string,
  base: string,
  tree: string,
  message: string,
  remote: string,
  fetchRemote = false,
): Promise<PublishedBranch> {
  // The branch a previous run pushed: reusing its commit keeps the pull request's history still.
  if (fetchRemote) await fetchIfExists(root, remote, branch);
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/${remote}/${branch}`]) {
    const tip = await resolveCommit(root, ref, { remote, throwGitErrors: true });
    if (tip && (await treeOf(root, tip)) === tree && (await parentOf(root, tip)) === base)
      return { branch, commit: tip, reused: true };
  }
  return { branch, commit: await commitTree(root, tree, base, message), reused: false };
}

/**
 * `changes` on `base` as a commit for `branch` (see commitFor; the remote's branch is fetched
 * first when a pull request is wanted and the remote exists), or undefined when they change
 * nothing on base.
 */
export async function commitChange(
  root: string,
  base: string,
  changes: FileChanges,
  branch: string,
  message: string,
  opts: { remote: string; openPr: boolean },
): Promise<PublishedBranch | undefined> {
  const tree = await treeWith(root, base, changes);
  if (tree === (await treeOf(root, base))) return undefined;
  const fetchRemote = opts.openPr && (await hasRemote(root, opts.remote));
  return commitFor(root, branch, base, tree, message, opts.remote, fetchRemote);
}

/** Points the local branch at the commit, unless a work tree has it checked out. */
export async function updateLocalBranch(root: string, b: PublishedBranch): Promise<void> {
  const old = await resolveCommit(root, `refs/heads/${b.branch}`, { remote: 'origin', throwGitErrors: true });
  if (old === b.commit) return;
  const busy = await checkedOutIn(root, b.branch);
  if (busy.length > 0)
    throw new Error(
      `branch ${b.branch} is checked out in ${busy.join(', ')}; switch that work tree to another branch first`,
    );
  await setBranch(root, b.branch, b.commit, old);
}

export interface PullReport {
  number: number;
  url: string;
  action: 'created' | 'updated' | 'unchanged';
  comment: { id: number; url: string; action: 'created' | 'updated' | 'unchanged' };
}

export async function publishPull(
  root: string,
  b: PublishedBranch,
  spec: {
    remote: string;
    base: string;
    title: string;
    body: string;
    marker: string;
    comment: string;
    env: Env;
  },
  onNote?: (t: string) => void,
): Promise<PullReport> {
  // Settings first: a missing token should fail before anything is pushed.
  const client = new ForgeClient(forgeConfigFromEnv(spec.env), { onRetry: onNote });
  await pushBranch(root, spec.remote, b.commit, b.branch);
  const { pull, action } = await upsertPull(client, {
    head: b.branch,
    base: spec.base,
    title: spec.title,
    body: spec.body,
  });
  const c = await upsertComment(client, pull.number, spec.marker, spec.comment);
  return {
    number: pull.number,
    url: pull.url,
    action,
    comment: { id: c.comment.id, url: c.comment.url, action: c.action },
  };
}
