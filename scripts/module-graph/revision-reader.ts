// A repository reader (repo-context.ts) over a git revision, through one cat-file process:
// the `.nix` files of the tree by folder depth, and file contents asked for in batches.
// Quarantine-safe inside a pre-receive hook: only objects are read.
import type { CatFile } from '../git/cat-file.js';
import { listTree } from '../git/list-tree.js';
import type { RepoReader } from './repo-context.js';

export function revisionReader(cat: CatFile, rev: string): RepoReader {
  const reads = new Map<string, Promise<Buffer | undefined>>();
  const request = (path: string) => {
    let p = reads.get(path);
    if (!p)
      reads.set(
        path,
        (p = cat.contents(`${rev}:${path}`).then((o) => (o?.type === 'blob' ? o.data : undefined))),
      );
    return p;
  };
  return {
    async list() {
      return listTree(cat, rev, [''], (path) => path.endsWith('.nix'));
    },
    prefetch(paths) {
      for (const p of paths) request(p);
      cat.flush();
    },
    async read(path) {
      const known = reads.has(path);
      const p = request(path);
      if (!known) cat.flush();
      return p;
    },
  };
}
