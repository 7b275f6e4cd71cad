// The git side of onboarding and retiring: read blobs at a revision, and make a commit from a
// base plus file changes through a throwaway index file (GIT_INDEX_FILE), so the caller's work
// tree, index and checked-out branch are never touched. Argv arrays only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../git/exec.js';

/** New content for a path, or null to delete it. */
export type FileChanges = Record<string, Buffer | string | null>;

async function out(root: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await runGit(args, { cwd: root, env });
  return r.stdout.toString('utf8').trim();
}

/** The commit a ref names: as given, as a local branch, or as origin's branch. */
export async function resolveRevision(
  root: string,
  ref: string,
  remote = 'origin',
): Promise<string | undefined> {
  const branch = ref.replace(/^refs\/heads\//, '');
  const candidates = ref.startsWith('refs/') ? [ref] : [ref, `refs/heads/${ref}`];
  if (!ref.startsWith('refs/remotes/')) candidates.push(`refs/remotes/${remote}/${branch}`);
  for (const c of candidates) {
    const r = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${c}^{commit}`], {
      cwd: root,
      okCodes: [1, 128],
    });
    const oid = r.stdout.toString('utf8').trim();
    if (r.code === 0 && oid) return oid;
  }
  return undefined;
}

/** Size in bytes of `path` at `commit`, or undefined when it is not a file there. */
export async function blobSize(root: string, commit: string, path: string): Promise<number | undefined> {
  const type = await runGit(['cat-file', '-t', `${commit}:${path}`], { cwd: root, okCodes: [128] });
  if (type.code !== 0 || type.stdout.toString('utf8').trim() !== 'blob') return undefined;
  return Number(await out(root, ['cat-file', '-s', `${commit}:${path}`]));
}

export async function readBlob(root: string, commit: string, path: string): Promise<Buffer | undefined> {
  const r = await runGit(['cat-file', 'blob', `${commit}:${path}`], { cwd: root, okCodes: [128] });
  return r.code === 0 ? r.stdout : undefined;
}

/** Every file path of a commit. */
export async function listFiles(root: string, commit: string): Promise<string[]> {
  const r = await runGit(['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit], { cwd: root });
  return r.stdout
    .toString('utf8')
    .split('\0')
    .filter((p) => p !== '');
}

export async function treeOf(root: string, commit: string): Promise<string> {
  return out(root, ['rev-parse', `${commit}^{tree}`]);
}

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
  const text = await out(root, ['worktree', 'list', '--porcelain']);
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

export async function parentOf(root: string, commit: string): Promise<string | undefined> {
  const r = await runGit(['rev-parse', '--verify', '--quiet', `${commit}^1`], {
    cwd: root,
    okCodes: [1, 128],
  });
  const oid = r.stdout.toString('utf8').trim();
  return r.code === 0 && oid ? oid : undefined;
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
