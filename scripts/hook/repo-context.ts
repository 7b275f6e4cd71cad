// The repository context (scripts/module-graph) of a pushed revision, read through the hook's
// cat-file process: the `.nix` files of the tree, each file's module facts from the bare
// repository's cache (a push cannot write there) or read and parsed once, all in a few round
// trips. Quarantine-safe: only objects are read.
import { join } from 'node:path';
import type { CatFile } from '../git/cat-file.js';
import { listTree } from '../git/list-tree.js';
import type { RepoContext } from '../module-graph/apply.js';
import { FactsCache } from '../module-graph/facts-cache.js';
import { buildRepoContext, type RepoReader } from '../module-graph/repo-context.js';
import type { PolicySource } from './policy-source.js';

/** Module facts of the files the server has read, beside the fleet facts (fleet-cache.ts). */
export const MODULE_FACTS_FILE = 'tappaas-module-facts.json';

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

export function contextAtRevision(
  cat: CatFile,
  rev: string,
  source: PolicySource,
  gitDir: string | undefined,
  maxBytes: number,
): Promise<RepoContext> {
  return buildRepoContext(revisionReader(cat, rev), {
    flake: source.config.fleet?.flake ?? 'flake.nix',
    cache: new FactsCache(gitDir === undefined ? undefined : join(gitDir, MODULE_FACTS_FILE)),
    maxBytes,
  });
}
