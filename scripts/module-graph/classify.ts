// What each file of a repository is, from its own import graph: start at the flake (the
// value `flake`), follow every reference with what it means there (contexts.ts), and give
// each reached file the contexts it is reached with. Files the flake never reaches start as
// `unknown` in a second pass, so `nixosSystem { modules = [ ./h ]; }` in a helper still says
// what `./h` is. Pure: the listing and each file's facts come in as data.
import { posix } from 'node:path';
import { type Ctx, elementOf, FLAKE, interpret, type ModuleClass, moduleClass, UNKNOWN } from './contexts.js';
import type { GraphRef, ModuleFacts } from './facts.js';

export interface FileKind {
  /** Module systems that load the file as a module (`any`: one the syntax does not name). */
  classes: ModuleClass[];
  /** Reached from the flake (or a root `configuration.nix`): evaluated by it, one way or another. */
  fromFlake: boolean;
  /** Some way it is reached says nothing certain (or nothing reaches it). */
  unknown: boolean;
  /** Reached as Nix that is no module (a package, a library, a list or set of modules). */
  plain: boolean;
}

export interface GraphInput {
  /** Every `.nix` file of the repository, repo-relative. */
  files: readonly string[];
  facts: ReadonlyMap<string, ModuleFacts>;
  /** The flake, repo-relative, when the repository has one. */
  flake?: string;
}

export interface RepoGraph {
  kinds: Map<string, FileKind>;
  hasFlake: boolean;
  /** A colmena hive is defined: its nodes may set `deployment.*`. */
  usesColmena: boolean;
}

/** A root `configuration.nix` without a flake is the classic NixOS entry point. */
const CLASSIC_ENTRY = 'configuration.nix';

export function classifyFiles(input: GraphInput): RepoGraph {
  const fileSet = new Set(input.files);
  const listing = new Listing(input.files);
  const contexts = new Map<string, Set<Ctx>>();
  const queue: [string, Ctx][] = [];
  const add = (file: string, ctx: Ctx) => {
    let set = contexts.get(file);
    if (!set) contexts.set(file, (set = new Set()));
    if (set.has(ctx)) return;
    set.add(ctx);
    queue.push([file, ctx]);
  };
  const drain = () => {
    while (queue.length > 0) {
      const [file, ctx] = queue.pop()!;
      for (const ref of input.facts.get(file)?.refs ?? []) {
        const at = interpret(ctx, ref.steps);
        for (const [target, targetCtx] of resolve(ref, at, listing)) add(target, targetCtx);
      }
    }
  };
  const hasFlake = input.flake !== undefined && fileSet.has(input.flake);
  if (hasFlake) add(input.flake!, FLAKE);
  else if (fileSet.has(CLASSIC_ENTRY)) add(CLASSIC_ENTRY, 'module:nixos');
  drain();
  const fromFlake = new Set(contexts.keys());
  for (const file of input.files) if (!contexts.has(file)) add(file, UNKNOWN);
  drain();

  // A hive in the flake (`colmena = { … }`, `colmenaHive = makeHive …`) or a file that is one.
  let usesColmena = [...input.facts.values()].some((f) =>
    f.refs.some((r) =>
      r.steps.some((s) => s === 'k:colmena' || s === 'k:colmenaHive' || s.startsWith('c:makeHive:')),
    ),
  );
  const kinds = new Map<string, FileKind>();
  for (const file of input.files) {
    const set = contexts.get(file) ?? new Set([UNKNOWN]);
    const classes = new Set<ModuleClass>();
    let unknown = false;
    let plain = false;
    for (const ctx of set) {
      if (ctx === 'colmena') usesColmena = true;
      const c = moduleClass(ctx);
      if (c) classes.add(c);
      else if (ctx === UNKNOWN) unknown = true;
      else plain = true;
    }
    kinds.set(file, { classes: [...classes].sort(), fromFlake: fromFlake.has(file), unknown, plain });
  }
  return { kinds, hasFlake, usesColmena };
}

/** The repository's `.nix` files, with the folder lookups references need, each made once. */
class Listing {
  readonly set: ReadonlySet<string>;
  private readonly byDir = new Map<string, string[]>();
  private readonly under = new Map<string, string[]>();

  constructor(readonly files: readonly string[]) {
    this.set = new Set(files);
    for (const f of files) {
      const dir = posix.dirname(f);
      let list = this.byDir.get(dir);
      if (!list) this.byDir.set(dir, (list = []));
      list.push(f);
    }
  }

  /** Files directly in `dir` (`.` for the root). */
  in(dir: string): readonly string[] {
    return this.byDir.get(dir) ?? [];
  }

  /** Files at any depth under `dir` (`` for the root). */
  below(dir: string): readonly string[] {
    let list = this.under.get(dir);
    if (!list) {
      const prefix = dir === '' ? '' : `${dir}/`;
      this.under.set(dir, (list = this.files.filter((f) => f.startsWith(prefix))));
    }
    return list;
  }
}

/** The `.nix` files a reference reaches, each with what its value is there. */
function resolve(ref: GraphRef, ctx: Ctx, files: Listing): [string, Ctx][] {
  switch (ref.kind) {
    case 'path': {
      if (files.set.has(ref.target)) return [[ref.target, ctx]];
      // A folder read as a list of modules (`import-tree ./modules`): every file in it.
      if (ctx.startsWith('list:')) {
        const element = elementOf(ctx);
        return files.below(ref.target).map((f) => [f, element]);
      }
      const index = ref.target === '' ? 'default.nix' : `${ref.target}/default.nix`;
      return files.set.has(index) ? [[index, ctx]] : [];
    }
    case 'folder': {
      const element = elementOf(ctx);
      return files.below(ref.dir).map((f) => [f, element]);
    }
    case 'pattern': {
      // `./hosts + "/${name}.nix"`, `./hosts/${name}`: files of the folder, or folders with a default.nix.
      const out: [string, Ctx][] = [];
      const parent = ref.dir === '' ? '.' : ref.dir;
      const fits = (name: string) =>
        name.length >= ref.prefix.length + ref.suffix.length &&
        name.startsWith(ref.prefix) &&
        name.endsWith(ref.suffix);
      for (const f of files.in(parent)) if (fits(posix.basename(f))) out.push([f, ctx]);
      for (const f of files.below(ref.dir)) {
        const dir = posix.dirname(f);
        if (posix.basename(f) === 'default.nix' && posix.dirname(dir) === parent && fits(posix.basename(dir)))
          out.push([f, ctx]);
      }
      return out;
    }
  }
}
