// Commits made without touching anyone's work tree: a base plus file changes go through a
// throwaway index file (GIT_INDEX_FILE), then commit-tree and update-ref. Argv arrays only.
// runGit, not simple-git as the rest of onboarding's git: hash-object and commit-tree read stdin.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from './exec.js';

/** New content for a path, or null to delete it. */
export type FileChanges = Record<string, Buffer | string | null>;

/** Committer identity for CI runners that have none configured. */
async function identityEnv(root: string): Promise<NodeJS.ProcessEnv> {
  const env = { ...process.env };
  const email = await runGit(['config', 'user.email'], { cwd: root, okCodes: [1] });
  if (email.code !== 0 || !email.stdout.toString().trim()) {
    env.GIT_AUTHOR_NAME ??= 'tappaas-cicd';
    env.GIT_AUTHOR_EMAIL ??= 'tappaas-cicd@localhost';
    env.GIT_COMMITTER_NAME ??= env.GIT_AUTHOR_NAME;
    env.GIT_COMMITTER_EMAIL ??= env.GIT_AUTHOR_EMAIL;
  }
  return env;
}

/** The tree of `base` with `changes` applied, written to the object store. */
export async function treeWith(root: string, base: string, changes: FileChanges): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-index-'));
  const env = { ...process.env, GIT_INDEX_FILE: join(dir, 'index') };
  try {
    await runGit(['read-tree', base], { cwd: root, env });
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) {
        await runGit(['update-index', '--force-remove', '--', path], { cwd: root, env });
        continue;
      }
      const oid = (await runGit(['hash-object', '-w', '--stdin'], { cwd: root, env, input: content })).stdout
        .toString('utf8')
        .trim();
      await runGit(['update-index', '--add', '--cacheinfo', `100644,${oid},${path}`], { cwd: root, env });
    }
    return (await runGit(['write-tree'], { cwd: root, env })).stdout.toString('utf8').trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function commitTree(
  root: string,
  tree: string,
  parent: string,
  message: string,
): Promise<string> {
  const env = await identityEnv(root);
  return (
    await runGit(['commit-tree', tree, '-p', parent, '-F', '-'], { cwd: root, env, input: message })
  ).stdout
    .toString('utf8')
    .trim();
}

/** Worktrees that have `branch` checked out (a ref update under them would desync them). */
export async function checkedOutIn(root: string, branch: string): Promise<string[]> {
  const text = (await runGit(['worktree', 'list', '--porcelain'], { cwd: root })).stdout
    .toString('utf8')
    .trim();
  const dirs: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('worktree ')) current = line.slice('worktree '.length);
    if (line === `branch refs/heads/${branch}`) dirs.push(current);
  }
  return dirs;
}

/** Sets refs/heads/<branch> to `commit`, only if it still is `old` (undefined: must not exist). */
export async function setBranch(
  root: string,
  branch: string,
  commit: string,
  old: string | undefined,
): Promise<void> {
  await runGit(
    ['update-ref', '-m', 'tappaas', `refs/heads/${branch}`, commit, old ?? '0'.repeat(commit.length)],
    {
      cwd: root,
    },
  );
}
