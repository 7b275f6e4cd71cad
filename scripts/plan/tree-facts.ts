// Reads what the import graph needs from one checked-out revision (a clean copy of its commit): the
// listing of every file, then the flake and each `.nix` file it reaches, breadth first,
// parsed. A file with the same path and text in both trees is parsed once (shared cache).
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FileDeps, fileDeps } from './file-deps.js';
import { followTargets, listing, type TreeListing } from './import-graph.js';

export interface LoadedTree {
  tree: TreeListing;
  deps: Map<string, FileDeps>;
}

/** Parsed files by path and text, shared by the two trees of a plan. */
export type DepsCache = Map<string, { text: string; deps: FileDeps }>;

/** Every file under `dir`, repo-relative, sorted. */
export function listDir(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(path);
      else out.push(path);
    }
  };
  visit('');
  return out.sort();
}

export async function loadTree(
  dir: string,
  flake: string,
  cache: DepsCache = new Map(),
): Promise<LoadedTree> {
  const tree = listing(listDir(dir));
  const deps = new Map<string, FileDeps>();
  if (!tree.fileSet.has(flake)) return { tree, deps };
  let wave = [flake];
  const seen = new Set(wave);
  while (wave.length > 0) {
    const next: string[] = [];
    for (const file of wave) {
      let text: string;
      try {
        text = readFileSync(join(dir, file), 'utf8');
      } catch {
        continue;
      }
      const key = `${file}\0${file === flake}`;
      const hit = cache.get(key);
      const d = hit && hit.text === text ? hit.deps : await fileDeps(file, text, { flake: file === flake });
      if (!hit || hit.text !== text) cache.set(key, { text, deps: d });
      deps.set(file, d);
      for (const t of followTargets(d, tree, [], flake)) {
        if (!seen.has(t)) {
          seen.add(t);
          next.push(t);
        }
      }
    }
    wave = next;
  }
  return { tree, deps };
}
