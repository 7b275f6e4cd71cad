// Where options indexes live and when one is still good: per flake revision, i.e. the hash of
// flake.lock (or of flake.nix when there is no lock), plus the host. Under the flake's own
// directory, `.tappaas/options/<key>/<host>.json`; the `.tappaas/` folder ignores itself for
// git, so a repository that does not list it in .gitignore never commits it.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/write-atomic.js';
import { type OptionsIndexFile, parseIndexFile } from './index-file.js';

export const CACHE_DIR = join('.tappaas', 'options');
/** Revisions kept per flake; older ones are removed when a new one is written. */
const KEEP_REVISIONS = 3;

export interface FlakeKey {
  key: string;
  keySource: 'flake.lock' | 'flake.nix';
}

/** The revision key of the flake in `flakeDir`, or undefined when it has no flake.nix. */
export function flakeKey(flakeDir: string): FlakeKey | undefined {
  return flakeKeyOf((name) => {
    try {
      return readFileSync(join(flakeDir, name));
    } catch {
      return undefined;
    }
  });
}

/** The revision key from the flake's files as `read` gives them (a work tree, a git revision). */
export function flakeKeyOf(
  read: (name: 'flake.lock' | 'flake.nix') => Buffer | undefined,
): FlakeKey | undefined {
  for (const keySource of ['flake.lock', 'flake.nix'] as const) {
    const bytes = read(keySource);
    if (bytes) return { key: keyOfBytes(bytes), keySource };
  }
  return undefined;
}

export function keyOfBytes(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

export function revisionDir(flakeDir: string, key: string): string {
  return join(flakeDir, CACHE_DIR, key);
}

/** A host name as a file name (names are attribute names and may hold anything). */
export function indexPath(flakeDir: string, key: string, host: string): string {
  return join(revisionDir(flakeDir, key), `${encodeURIComponent(host)}.json`);
}

/** The cached index of a host at this revision, if one was written and is readable. */
export function readCachedIndex(file: string): OptionsIndexFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseIndexFile(text);
}

/** Writes atomically (a reader never sees half a file) and prunes old revisions. */
export function writeIndex(flakeDir: string, index: OptionsIndexFile): string {
  const file = indexPath(flakeDir, index.key, index.host);
  const top = join(flakeDir, '.tappaas');
  mkdirSync(revisionDir(flakeDir, index.key), { recursive: true });
  if (!existsSync(join(top, '.gitignore'))) writeFileSync(join(top, '.gitignore'), '*\n');
  writeFileAtomic(file, JSON.stringify(index));
  pruneRevisions(flakeDir, index.key);
  return file;
}

function pruneRevisions(flakeDir: string, current: string): void {
  const dir = join(flakeDir, CACHE_DIR);
  const others = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== current)
    .map((e) => ({ name: e.name, mtime: statSync(join(dir, e.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of others.slice(KEEP_REVISIONS - 1))
    rmSync(join(dir, old.name), { recursive: true, force: true });
}

/** Every host index cached for this revision. */
export function cachedIndexFiles(flakeDir: string, key: string): string[] {
  return indexFilesIn(revisionDir(flakeDir, key));
}

/** The index files (`*.json`) of a folder, sorted; none when it cannot be read. */
export function indexFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}
