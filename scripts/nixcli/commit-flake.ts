// The one way a commit reaches Nix: its files checked out to a temporary folder through a
// throwaway index (git/checkout.ts says why not `git archive`), and the flake's folder in it
// given as `path:<dir>`. Not `git+file://…?rev=`: that copies the repository into Nix's own
// git cache, behaves differently across Nix versions, and leaves plan and onboarding, which
// also read the files themselves, without a folder to read. Where the flake is comes from
// tappaas.json `fleet.flake`.
import { existsSync, lstatSync, lutimesSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { checkoutCommit } from '../git/checkout.js';
import { runGit } from '../git/exec.js';
import type { FlakeRef } from './flake.js';

export interface CommitFlakeSpec {
  /** The repository. */
  root: string;
  commit: string;
  /** flake.nix's repo-relative path (tappaas.json `fleet.flake`), e.g. `flake.nix`. */
  flake: string;
  /**
   * Tell Nix which commit it is, as a git flake would know: `self.rev`, `self.revCount` and
   * `self.lastModified` (every file dated at the commit). For comparing with what a clean
   * checkout of the commit builds (deploy, status, onboarding); a plan compares two commits
   * by their files alone.
   */
  revision?: boolean;
}

export interface CommitFlake {
  flake: FlakeRef;
  /** The commit's files. */
  files: string;
  /** The flake's folder, repo-relative ('' for the repository's root). */
  flakeDir: string;
  remove(): void;
}

/** The flake's folder of a `fleet.flake` setting: '' when flake.nix is at the root. */
export function flakeDirOf(flake: string): string {
  const dir = posix.dirname(flake);
  return dir === '.' ? '' : dir;
}

/** A repo-relative path as the flake sees it: relative to its folder when it is inside it. */
export function flakeRelative(flakeDir: string, path: string): string {
  return flakeDir && path.startsWith(`${flakeDir}/`) ? path.slice(flakeDir.length + 1) : path;
}

/** Checks the commit out (the folder is named `tappaas-<label>-…`); the caller removes it. */
export async function checkoutFlake(spec: CommitFlakeSpec, label: string): Promise<CommitFlake> {
  const checkout = await checkoutCommit(spec.root, spec.commit, label);
  try {
    const flakeDir = flakeDirOf(spec.flake);
    const dir = flakeDir ? join(checkout.dir, flakeDir) : checkout.dir;
    let ref = `path:${dir}`;
    if (spec.revision) {
      const [head, count] = await Promise.all([
        runGit(['log', '-1', '--format=%H %ct', spec.commit], { cwd: spec.root }),
        runGit(['rev-list', '--count', spec.commit], { cwd: spec.root }),
      ]);
      const [rev, time] = head.stdout.toString('utf8').trim().split(' ');
      // Nix takes a path flake's lastModified from its newest file.
      dateTree(checkout.dir, Number(time));
      ref += `?rev=${rev}&revCount=${count.stdout.toString('utf8').trim()}`;
    }
    // Nix's positions and the literal search are relative to the flake's folder.
    return { flake: { ref, dir, sourceRoot: dir }, files: checkout.dir, flakeDir, remove: checkout.remove };
  } catch (err) {
    checkout.remove();
    throw err;
  }
}

/** Runs `use` on the commit's flake and removes the checkout afterwards. */
export async function withCommitFlake<T>(
  spec: CommitFlakeSpec,
  label: string,
  use: (flake: CommitFlake) => Promise<T>,
): Promise<T> {
  const made = await checkoutFlake(spec, label);
  try {
    return await use(made);
  } finally {
    made.remove();
  }
}

/** Sets the modification time of everything under `dir` (symbolic links themselves included). */
function dateTree(dir: string, seconds: number): void {
  if (!existsSync(dir)) return; // a commit without files
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (lstatSync(path).isDirectory()) dateTree(path, seconds);
    lutimesSync(path, seconds, seconds);
  }
  lutimesSync(dir, seconds, seconds);
}
