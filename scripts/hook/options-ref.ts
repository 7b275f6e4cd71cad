// The options index CI published for a pushed revision (nixos/options-index/published.ts):
// the key of the revision's flake.lock (or flake.nix) names the ref; its files are copied once
// into the bare repository's directory, where the lint reads them like a local index. No ref
// for that key: no index, and the lint checks what it can without one.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { CatFile } from '../git/cat-file.js';
import { treeEntries } from '../git/list-tree.js';
import { indexFilesIn, keyOfBytes } from '../nixos/options-index/cache.js';
import { parseIndexFile } from '../nixos/options-index/index-file.js';
import type { IndexLocation } from '../nixos/options-index/locate.js';
import { publishedRef } from '../nixos/options-index/published.js';

export const OPTIONS_INDEX_DIR = 'tappaas-options-index';

export async function publishedOptionsIndex(
  cat: CatFile,
  rev: string,
  flake: string,
  /** The bare repository's directory (the copies live there); undefined: a temporary one. */
  gitDir: string | undefined,
): Promise<IndexLocation | undefined> {
  const dir = posix.dirname(flake) === '.' ? '' : `${posix.dirname(flake)}/`;
  const lock = cat.contents(`${rev}:${dir}flake.lock`);
  const nix = cat.contents(`${rev}:${dir}flake.nix`);
  cat.flush();
  const [lockObj, nixObj] = await Promise.all([lock, nix]);
  const bytes = lockObj?.type === 'blob' ? lockObj.data : nixObj?.type === 'blob' ? nixObj.data : undefined;
  if (!bytes) return undefined;
  const key = keyOfBytes(bytes);
  const target = join(gitDir ?? join(tmpdir(), 'tappaas-hook'), OPTIONS_INDEX_DIR, key);
  const present = indexFilesIn(target);
  if (present.length > 0) return { files: present, stamp: key };
  const tree = cat.contents(`${publishedRef(key)}^{tree}`);
  cat.flush();
  const treeObj = await tree;
  if (treeObj?.type !== 'tree') return undefined;
  const entries = treeEntries(treeObj.data, treeObj.oid.length / 2).filter(
    (e) => e.mode !== '40000' && e.name.endsWith('.json') && !e.name.includes('/'),
  );
  const reads = entries.map((e) => cat.contents(e.oid));
  cat.flush();
  const blobs = await Promise.all(reads);
  // Copied into a fresh folder and moved in whole: a concurrent push never sees half of it.
  const parent = join(target, '..');
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${key}-`));
  let kept = 0;
  entries.forEach((e, i) => {
    const text = blobs[i]?.data.toString('utf8');
    // Only what parses as an index (and is of this revision) is used; anything else is skipped.
    const index = text === undefined ? undefined : parseIndexFile(text);
    if (!index || index.key !== key) return;
    writeFileSync(join(staging, e.name), text!);
    kept++;
  });
  if (kept === 0) {
    rmSync(staging, { recursive: true, force: true });
    return undefined;
  }
  try {
    renameSync(staging, target);
  } catch {
    // Another push moved its copy in first: use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  const files = indexFilesIn(target);
  return files.length > 0 ? { files, stamp: key } : undefined;
}
