// The repository context of a lint: every `.nix` file's module facts (from the cache, or
// read and parsed), what each file is (classify.ts), and the option names known beyond
// NixOS's (declared in the repository; added by module flakes among the flake's inputs and
// its lock). Reads through a small reader, so the work tree, a revision and the hook's
// quarantined objects all give the same answer for the same files.
import { readFileSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { runGit } from '../git/exec.js';
import { blobHash } from '../lint/cache.js';
import { collectNixFiles } from '../lint/files.js';
import { decodeSource } from '../lint/read-source.js';
import { namespacesOfFlakes, repositoryName } from '../nixos/module-flakes.js';
import type { RepoContext } from './apply.js';
import { classifyFiles } from './classify.js';
import { type ModuleFacts, moduleFactsOf } from './facts.js';
import { type FactsCache, factsKey } from './facts-cache.js';

export interface RepoFile {
  path: string;
  /** The blob id when the listing knows it (a revision); else it is computed from the bytes. */
  oid?: string;
}

export interface RepoReader {
  /** Every `.nix` file of the repository, repo-relative. */
  list(): Promise<RepoFile[]>;
  /** A file's bytes (any file, e.g. flake.lock); undefined when it cannot be read. */
  read(path: string): Promise<Buffer | undefined>;
  /** Says which files will be read next, so a reader over git can ask for all in one round trip. */
  prefetch?(paths: readonly string[]): void;
}

/** Facts a caller already has from its own parse of the current bytes (a lint run). */
export interface KnownFacts {
  facts: ModuleFacts;
  /** The blob id of those bytes, when known: then they go into the cache too. */
  oid?: string;
}

export interface ContextOptions {
  /** The flake, repo-relative (`fleet.flake`, default `flake.nix`). */
  flake: string;
  cache: FactsCache;
  maxBytes: number;
  /** By repository path: these files are neither read nor parsed again. */
  known?: ReadonlyMap<string, KnownFacts>;
}

export async function buildRepoContext(reader: RepoReader, opts: ContextOptions): Promise<RepoContext> {
  const listed = await reader.list();
  const lockPath = posix.join(posix.dirname(opts.flake), 'flake.lock');
  reader.prefetch?.([
    lockPath,
    ...listed
      .filter(
        (f) => !opts.known?.has(f.path) && (f.oid === undefined || !opts.cache.get(factsKey(f.path, f.oid))),
      )
      .map((f) => f.path),
  ]);
  const facts = new Map<string, ModuleFacts>();
  const files: string[] = [];
  for (const { path, oid } of listed) {
    files.push(path);
    const given = opts.known?.get(path);
    if (given) {
      facts.set(path, given.facts);
      if (given.oid !== undefined) opts.cache.set(factsKey(path, given.oid), given.facts);
      continue;
    }
    let bytes: Buffer | undefined;
    let id = oid;
    if (id === undefined) {
      bytes = await reader.read(path);
      if (!bytes) continue;
      id = blobHash(bytes);
    }
    const key = factsKey(path, id);
    const known = opts.cache.get(key);
    if (known) {
      facts.set(path, known);
      continue;
    }
    bytes ??= await reader.read(path);
    const read = bytes ? decodeSource(bytes, opts.maxBytes) : undefined;
    // A file that cannot be read as Nix text refers to nothing we can know of.
    if (!read?.ok) continue;
    const found = await moduleFactsOf(path, read.text, { flake: path === opts.flake });
    opts.cache.set(key, found);
    facts.set(path, found);
  }
  opts.cache.save();
  const graph = classifyFiles({ files, facts, flake: opts.flake });
  const namespaces = new Set<string>();
  for (const f of facts.values()) for (const name of f.declares) namespaces.add(name);
  const flakeNames: string[] = [];
  for (const input of facts.get(opts.flake)?.inputs ?? []) {
    flakeNames.push(input.name);
    const repo = input.url ? repositoryName(input.url) : undefined;
    if (repo) flakeNames.push(repo);
  }
  flakeNames.push(...lockedFlakeNames(await reader.read(lockPath)));
  for (const name of namespacesOfFlakes(flakeNames)) namespaces.add(name);
  if (graph.usesColmena) namespaces.add('deployment');
  return { graph, namespaces };
}

/** Node names and repositories in a flake.lock (transitive inputs too). */
export function lockedFlakeNames(lock: Buffer | undefined): string[] {
  if (!lock) return [];
  let data: unknown;
  try {
    data = JSON.parse(lock.toString('utf8'));
  } catch {
    return [];
  }
  const nodes = (data as { nodes?: Record<string, unknown> } | null)?.nodes;
  if (!nodes || typeof nodes !== 'object') return [];
  const out: string[] = [];
  for (const [name, node] of Object.entries(nodes)) {
    out.push(name.replace(/_\d+$/, ''));
    const original = (node as { original?: Record<string, unknown> } | null)?.original;
    if (!original || typeof original !== 'object') continue;
    if (typeof original.repo === 'string') out.push(original.repo);
    else if (typeof original.url === 'string') {
      const repo = repositoryName(original.url);
      if (repo) out.push(repo);
    }
  }
  return out;
}

/**
 * The work tree: the `.nix` files git knows (tracked, and untracked ones it does not ignore),
 * or every `.nix` file under the root when it is no git work tree.
 */
export function workTreeReader(root: string): RepoReader {
  return {
    async list() {
      const git = await runGit(
        ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.nix'],
        {
          cwd: root,
          okCodes: [128],
        },
      ).catch(() => undefined);
      const paths =
        git && git.code === 0
          ? git.stdout
              .toString('utf8')
              .split('\0')
              .filter((p) => p.endsWith('.nix'))
          : // The lint's own walk (links followed once, loops and build outputs skipped).
            collectNixFiles(['.'], root, { root }).files.map((f) => f.split(sep).join('/'));
      return [...new Set(paths)].sort().map((path) => ({ path }));
    },
    async read(path) {
      try {
        return readFileSync(join(root, path));
      } catch {
        return undefined;
      }
    },
  };
}
