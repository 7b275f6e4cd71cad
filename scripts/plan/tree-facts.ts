// Reads what the import graph needs from one git revision: the listing of every file, then the
// flake and each `.nix` file it reaches (breadth first, one `git cat-file` process), parsed.
import { CatFile } from '../git/cat-file.js';
import { runGit } from '../git/exec.js';
import { type FileDeps, fileDeps } from './file-deps.js';
import { followTargets, listing, type TreeListing } from './import-graph.js';

export interface LoadedTree {
  tree: TreeListing;
  deps: Map<string, FileDeps>;
}

export async function listCommit(root: string, commit: string): Promise<string[]> {
  const r = await runGit(['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit], { cwd: root });
  return r.stdout
    .toString('utf8')
    .split('\0')
    .filter((p) => p !== '')
    .sort();
}

export async function loadTree(root: string, commit: string, flake: string): Promise<LoadedTree> {
  const tree = listing(await listCommit(root, commit));
  const deps = new Map<string, FileDeps>();
  if (!tree.fileSet.has(flake)) return { tree, deps };
  const cat = new CatFile(root);
  try {
    let wave = [flake];
    const seen = new Set(wave);
    while (wave.length > 0) {
      const reads = wave.map((f) => cat.contents(`${commit}:${f}`));
      cat.flush();
      const parsed = await Promise.all(
        wave.map(async (file, i) => {
          const blob = await reads[i];
          return blob ? fileDeps(file, blob.data.toString('utf8'), { flake: file === flake }) : undefined;
        }),
      );
      const next: string[] = [];
      for (const d of parsed) {
        if (!d) continue;
        deps.set(d.file, d);
        for (const t of followTargets(d, tree, [], flake)) {
          if (!seen.has(t)) {
            seen.add(t);
            next.push(t);
          }
        }
      }
      wave = next;
    }
  } finally {
    cat.close();
  }
  return { tree, deps };
}
