// Which flake to evaluate, and how its files show up in Nix's messages.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../git/repo-root.js';
import type { TrimOptions } from './errors.js';
import { literalLocator } from './locate.js';

export interface FlakeRef {
  /** What Nix is given, e.g. `/work/fleet` (a git repo: only tracked files) or `path:/tmp/x`. */
  ref: string;
  /** The flake's directory. */
  dir: string;
  /**
   * The directory Nix copies to the store as the flake's source (the git work tree, or the
   * flake's directory when not in git): error paths are relative to it.
   */
  sourceRoot: string;
}

export function localFlake(dir: string, ref?: string): FlakeRef {
  const abs = resolve(dir);
  return { ref: ref ?? abs, dir: abs, sourceRoot: repoRoot(abs) };
}

export function hasFlakeNix(flake: FlakeRef): boolean {
  return existsSync(join(flake.dir, 'flake.nix'));
}

/**
 * How to trim errors of this flake: a `/nix/store/<hash>-source/<rel>` path is ours when
 * `<rel>` exists in our source (inputs such as nixpkgs are `-source` too); literals are
 * looked up in the host's own file first.
 */
export function trimOptionsFor(flake: FlakeRef, preferFiles: string[] = []): TrimOptions {
  return {
    isOurSource: (_root, rel) => existsSync(join(flake.sourceRoot, rel)),
    flakeDir: flake.sourceRoot,
    locateLiteral: literalLocator(flake.sourceRoot, preferFiles),
  };
}
