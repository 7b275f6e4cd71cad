// Files of a commit read without a checkout: one `git` process per question, for the few files
// onboarding and retiring look at (the hook's hot path uses cat-file.ts instead). runGit, not
// simple-git: a payload's bytes go into the onboarding commit as they are, not decoded as text.
import { runGit } from './exec.js';

/** Size in bytes of `path` at `commit`, or undefined when it is not a file there. */
export async function blobSize(root: string, commit: string, path: string): Promise<number | undefined> {
  const type = await runGit(['cat-file', '-t', `${commit}:${path}`], { cwd: root, okCodes: [128] });
  if (type.code !== 0 || type.stdout.toString('utf8').trim() !== 'blob') return undefined;
  return Number(
    (await runGit(['cat-file', '-s', `${commit}:${path}`], { cwd: root })).stdout.toString('utf8').trim(),
  );
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
