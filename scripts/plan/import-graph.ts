// Which files each host of one tree depends on, from the file facts of the flake and every Nix
// file it reaches. Pure: the listing of the tree, the facts and the host names come in as data.
// Where a reference cannot be pinned to one file it stands for every file it could mean
// (a folder, a `dir + "/${x}"` pattern, `./.`), so the graph errs on the side of "depends".
import { posix } from 'node:path';
import { isUnder } from '../fleet/layout.js';
import type { DepRef, FileDeps } from './file-deps.js';

export interface Target {
  file: string;
  /** Only this host (a flake reference written for one host, or `dir + "/${name}.nix"`). */
  host?: string;
  /** A `.nix` file whose own references count too. */
  follow: boolean;
}

export interface TreeListing {
  /** Every file of the tree, repo-relative. */
  files: readonly string[];
  fileSet: ReadonlySet<string>;
}

export function listing(files: readonly string[]): TreeListing {
  return { files, fileSet: new Set(files) };
}

function under(tree: TreeListing, dir: string): string[] {
  return tree.files.filter((f) => isUnder(f, dir));
}

function directlyIn(tree: TreeListing, dir: string): string[] {
  const parent = dir === '' ? '.' : dir;
  return tree.files.filter((f) => posix.dirname(f) === parent);
}

function target(file: string, host?: string): Target {
  return { file, follow: file.endsWith('.nix'), ...(host ? { host } : {}) };
}

/** The files a reference can mean. `hostFolders`: folders the flake lists to find its hosts. */
export function resolveRef(
  ref: DepRef,
  tree: TreeListing,
  opts: { inFlake: boolean; hosts: readonly string[]; hostFolders: ReadonlySet<string> },
): Target[] {
  switch (ref.kind) {
    case 'path': {
      if (tree.fileSet.has(ref.target)) return [target(ref.target, ref.host)];
      const inside = under(tree, ref.target);
      if (inside.length === 0) {
        // Missing now; a change that adds it must still count for this host.
        return [{ file: ref.target, follow: false, ...(ref.host ? { host: ref.host } : {}) }];
      }
      const index = ref.target === '' ? 'default.nix' : `${ref.target}/default.nix`;
      if (ref.context === 'import' && tree.fileSet.has(index)) return [target(index, ref.host)];
      // A folder used as data (a source tree, `./.`): every file in it.
      return inside.map((f) => target(f, ref.host));
    }
    case 'folder': {
      // The flake reading the hosts folder only learns the host names, which the plan takes
      // from Nix itself; the host files count through the pattern that imports them.
      if (opts.inFlake && opts.hostFolders.has(ref.dir)) return [];
      return under(tree, ref.dir).map((f) => target(f, ref.host));
    }
    case 'pattern': {
      const matched = directlyIn(tree, ref.dir).filter((f) => {
        const base = posix.basename(f);
        return (
          base.length >= ref.prefix.length + ref.suffix.length &&
          base.startsWith(ref.prefix) &&
          base.endsWith(ref.suffix)
        );
      });
      if (!opts.inFlake) return matched.map((f) => target(f, ref.host));
      // In the flake the interpolated name is the host's: `./nix/hosts + "/${name}.nix"`.
      const byName = new Map(
        opts.hosts.map((h) => [posix.join(ref.dir, `${ref.prefix}${h}${ref.suffix}`), h]),
      );
      const out: Target[] = matched.map((f) => target(f, byName.get(f) ?? ref.host));
      for (const [file, host] of byName) if (!tree.fileSet.has(file)) out.push({ file, host, follow: false });
      return out;
    }
  }
}

export interface HostGraphInput {
  tree: TreeListing;
  /** Facts of the flake and of every `.nix` file reached from it that could be read. */
  deps: ReadonlyMap<string, FileDeps>;
  hosts: readonly string[];
  flake: string;
}

export interface HostGraph {
  /** Files (and missing paths) each host depends on, the flake included. */
  perHost: Map<string, Set<string>>;
  /** Why every file of the tree is an input of every host (the flake uses `self`). */
  wholeTree?: string;
  /** Reached files whose references are not fully known (not parsed, not readable). */
  unknown: string[];
}

/** Folders the flake lists with readDir and imports per host by a pattern. */
function hostFolders(flake: FileDeps | undefined): Set<string> {
  const patterns = new Set(
    (flake?.refs ?? []).filter((r) => r.kind === 'pattern').map((r) => (r.kind === 'pattern' ? r.dir : '')),
  );
  return new Set(
    (flake?.refs ?? []).flatMap((r) => (r.kind === 'folder' && patterns.has(r.dir) ? [r.dir] : [])),
  );
}

/** `.nix` files the loader must read next: what `file`'s references reach. */
export function followTargets(
  file: FileDeps,
  tree: TreeListing,
  hosts: readonly string[],
  flake: string,
): string[] {
  const inFlake = file.file === flake;
  const opts = { inFlake, hosts, hostFolders: inFlake ? hostFolders(file) : new Set<string>() };
  return file.refs.flatMap((r) =>
    resolveRef(r, tree, opts)
      .filter((t) => t.follow && tree.fileSet.has(t.file))
      .map((t) => t.file),
  );
}

export function hostGraph(input: HostGraphInput): HostGraph {
  const { tree, deps, hosts, flake } = input;
  const flakeDeps = deps.get(flake);
  const unknown = new Set<string>();
  const closure = (roots: Target[]): Set<string> => {
    const seen = new Set<string>();
    const queue = [...roots];
    while (queue.length > 0) {
      const t = queue.pop()!;
      if (seen.has(t.file)) continue;
      seen.add(t.file);
      if (!t.follow || !tree.fileSet.has(t.file)) continue;
      const d = deps.get(t.file);
      if (!d?.parsed) {
        unknown.add(t.file);
        if (!d) continue;
      }
      const opts = { inFlake: false, hosts, hostFolders: new Set<string>() };
      for (const r of d.refs) queue.push(...resolveRef(r, tree, opts));
    }
    return seen;
  };
  const flakeTargets = flakeDeps
    ? flakeDeps.refs.flatMap((r) =>
        resolveRef(r, tree, { inFlake: true, hosts, hostFolders: hostFolders(flakeDeps) }),
      )
    : [];
  if (!flakeDeps?.parsed) unknown.add(flake);
  const shared = closure(flakeTargets.filter((t) => !t.host));
  shared.add(flake);
  const perHost = new Map<string, Set<string>>();
  for (const h of hosts) {
    const own = closure(flakeTargets.filter((t) => t.host === h));
    perHost.set(h, new Set([...shared, ...own]));
  }
  const graph: HostGraph = { perHost, unknown: [...unknown].sort() };
  if (flakeDeps?.usesSelf)
    graph.wholeTree = `${flake} uses \`self\`, so every file of the repository is an input of every host`;
  return graph;
}
