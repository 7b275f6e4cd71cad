// The one commit resolver: a revision as git reads it; with a remote, also the local branch and
// the remote's fetched branch (onboarding); "not a commit" as undefined, or as a user's error.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../../scripts/git/exec.js';
import { parentOf, requireCommit, resolveCommit, treeOf } from '../../../scripts/git/revisions.js';
import { GitFixture } from '../../helpers/git.js';

let repo: GitFixture;
let first: string;
let second: string;
let fetched: string;

beforeAll(() => {
  repo = new GitFixture('tappaas-revisions-');
  first = repo.commit(undefined, { 'a.txt': 'a' }, 'first');
  second = repo.commit(undefined, { 'a.txt': 'b' }, 'second');
  // A branch that exists here only as fetched from the remote.
  fetched = repo.commit(first, { 'r.txt': 'r' }, 'remote only');
  repo.git(['update-ref', 'refs/remotes/origin/registration/web1', fetched]);
  repo.git(['checkout', '-q', 'main']);
});
afterAll(() => repo.cleanup());

describe('resolveCommit', () => {
  it('names the commit of a revision, or nothing', async () => {
    expect(await resolveCommit(repo.work, 'main')).toBe(second);
    expect(await resolveCommit(repo.work, 'main~1')).toBe(first);
    expect(await resolveCommit(repo.work, 'no-such-branch')).toBeUndefined();
    // An option-looking revision is a revision, not an option.
    expect(await resolveCommit(repo.work, '--all')).toBeUndefined();
  });

  it('finds a remote-only branch only when a remote is given', async () => {
    expect(await resolveCommit(repo.work, 'registration/web1')).toBeUndefined();
    expect(await resolveCommit(repo.work, 'registration/web1', { remote: 'origin' })).toBe(fetched);
    expect(await resolveCommit(repo.work, 'refs/heads/registration/web1', { remote: 'origin' })).toBe(
      fetched,
    );
    expect(await resolveCommit(repo.work, 'main', { remote: 'origin' })).toBe(second);
    expect(await resolveCommit(repo.work, 'registration/web1', { remote: 'upstream' })).toBeUndefined();
  });

  it('answers undefined when git cannot run, unless told to throw', async () => {
    const nowhere = join(repo.root, 'no-such-dir');
    expect(await resolveCommit(nowhere, 'main')).toBeUndefined();
    await expect(resolveCommit(nowhere, 'main', { throwGitErrors: true })).rejects.toBeInstanceOf(GitError);
  });
});

describe('requireCommit, treeOf, parentOf', () => {
  it('gives the commit or an error a user can read', async () => {
    expect(await requireCommit(repo.work, 'main')).toBe(second);
    await expect(requireCommit(repo.work, 'nope')).rejects.toThrow(
      '"nope" is not a commit of this repository',
    );
  });

  it('reads a commit tree and first parent', async () => {
    expect(await treeOf(repo.work, second)).toBe(repo.git(['rev-parse', `${second}^{tree}`]));
    expect(await parentOf(repo.work, second)).toBe(first);
    expect(await parentOf(repo.work, first)).toBeUndefined();
  });
});
