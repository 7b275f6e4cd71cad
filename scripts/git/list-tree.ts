// The files of a revision's tree, read as tree objects through a cat-file process: one round
// trip per folder depth and no process to start (a spawn costs more than a whole fleet's
// listing), and quarantine-safe inside a pre-receive hook.
import type { CatFile } from './cat-file.js';

/** One file of a tree: repo-relative path and blob id, in `git ls-tree -r` order. */
export type TreeListing = { path: string; oid: string }[];

/**
 * Blobs and symlinks (as `ls-tree -r` lists them, not submodules) under each of `roots`
 * (repo-relative; `''` for the whole tree; a root that is a file is listed itself), sorted by
 * path, each once. `keep` filters files before their folders' siblings are read further.
 */
export async function listTree(
  cat: CatFile,
  rev: string,
  roots: readonly string[],
  keep: (path: string) => boolean = () => true,
): Promise<TreeListing> {
  const out: TreeListing = [];
  const seen = new Set<string>();
  const unique = roots.filter((p, i, all) => all.indexOf(p) === i);
  let level = unique.map((p) => ({
    path: p,
    read: cat.contents(p === '' ? `${rev}^{tree}` : `${rev}:${p}`),
  }));
  while (level.length) {
    cat.flush();
    const next: typeof level = [];
    for (const { path, read } of level) {
      const obj = await read;
      if (!obj) continue;
      if (obj.type === 'blob') {
        if (!seen.has(path) && keep(path)) {
          seen.add(path);
          out.push({ path, oid: obj.oid });
        }
        continue;
      }
      if (obj.type !== 'tree') continue;
      for (const e of treeEntries(obj.data, obj.oid.length / 2)) {
        const child = path === '' ? e.name : `${path}/${e.name}`;
        if (e.mode === '40000') next.push({ path: child, read: cat.contents(e.oid) });
        else if (e.mode !== '160000' && !seen.has(child) && keep(child)) {
          seen.add(child);
          out.push({ path: child, oid: e.oid });
        }
      }
    }
    level = next;
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Entries of a raw tree object: `<mode> <name>\0<binary oid>` repeated. */
export function treeEntries(data: Buffer, oidBytes: number): { mode: string; name: string; oid: string }[] {
  const out: { mode: string; name: string; oid: string }[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(32, at);
    const nul = data.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > data.length) break;
    out.push({
      mode: data.subarray(at, space).toString('latin1'),
      name: data.subarray(space + 1, nul).toString('utf8'),
      oid: data.subarray(nul + 1, nul + 1 + oidBytes).toString('hex'),
    });
    at = nul + 1 + oidBytes;
  }
  return out;
}
