// The repository context (scripts/module-graph) of a pushed revision, read through the hook's
// cat-file process: the `.nix` files of the tree, each file's module facts from the bare
// repository's cache (a push cannot write there) or read and parsed once, all in a few round
// trips. Quarantine-safe: only objects are read.
import { join } from 'node:path';
import type { CatFile } from '../git/cat-file.js';
import type { RepoContext } from '../module-graph/apply.js';
import { FactsCache } from '../module-graph/facts-cache.js';
import { buildRepoContext } from '../module-graph/repo-context.js';
import { revisionReader } from '../module-graph/revision-reader.js';
import type { PolicySource } from './policy-source.js';

/** Module facts of the files the server has read, beside the fleet facts (fleet-cache.ts). */
export const MODULE_FACTS_FILE = 'tappaas-module-facts.json';

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
