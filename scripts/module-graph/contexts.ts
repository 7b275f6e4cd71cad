// What the value at the end of a list of steps (steps.ts) is, starting from what the file's
// own value is: a NixOS module, a home-manager module, a list or set of modules, the
// arguments of `nixosSystem`, flake outputs, plain Nix, or unknown. These are the ways
// files reach the module systems in real fleets (REFERENCE.md, "Who else uses the module
// system"): `imports`, `nixosSystem { modules }`, `home-manager.users.<u>`,
// `home-manager.sharedModules`, `homeManagerConfiguration`, `darwinSystem`, flake-parts'
// `mkFlake`, the `*Modules` flake outputs, colmena hives, `specialisation`, `containers`.
// Pure data in, data out.

/** The module systems a file can belong to; `any`: a module of an unknown system (`evalModules`). */
export type ModuleClass = 'nixos' | 'home-manager' | 'flake-parts' | 'darwin' | 'any';

/**
 * What a value is, as a short string (sets of these are compared and stored):
 * `module:<class>`, `list:<class>` (a list of modules), `set:<class>` (an attrset of modules),
 * `args:<class>` (the argument of a `nixosSystem`-like call), `map:<class>` (a function
 * that makes one module of a list), `spec:<class>`/`spec-entry:<class>` (specialisation),
 * `hm`, `hm-users`, `containers`, `container`, `colmena`, `test`, `outputs` (flake
 * outputs), `flake` (flake.nix itself), `plain` (Nix that is no module) or `unknown`.
 */
export type Ctx = string;

export const FLAKE: Ctx = 'flake';
export const UNKNOWN: Ctx = 'unknown';
export const PLAIN: Ctx = 'plain';

/** Flake output names (also inside flake-parts' `flake`) that hold modules. */
const OUTPUT_MODULES: Record<string, Ctx> = {
  nixosModules: 'set:nixos',
  nixosModule: 'module:nixos',
  homeManagerModules: 'set:home-manager',
  homeManagerModule: 'module:home-manager',
  homeModules: 'set:home-manager',
  homeModule: 'module:home-manager',
  darwinModules: 'set:darwin',
  darwinModule: 'module:darwin',
  flakeModules: 'set:flake-parts',
  flakeModule: 'module:flake-parts',
  colmena: 'colmena',
  colmenaHive: 'colmena',
};

/** Calls whose first argument holds `modules` of one system. */
const SYSTEM_CALLS: Record<string, ModuleClass> = {
  nixosSystem: 'nixos',
  darwinSystem: 'darwin',
  homeManagerConfiguration: 'home-manager',
  evalModules: 'any',
};

/** NixOS test drivers: `nodes.<n>` and `defaults` are NixOS modules. */
const TEST_CALLS = new Set(['nixosTest', 'runNixOSTest', 'makeTest', 'runTest']);

/** Functions whose last argument is returned as it is (for what it is, not what it holds). */
const TRANSPARENT = new Set([
  'mkIf',
  'mkDefault',
  'mkForce',
  'mkOverride',
  'mkOptionDefault',
  'mkVMOverride',
  'mkImageMediaOverride',
  'mkBefore',
  'mkAfter',
  'mkOrder',
  'mkMerge',
  'optionalAttrs',
  'optionals',
  'flatten',
  'concatLists',
  'unique',
  'filter',
  'recursiveUpdate',
  'listFilesRecursive',
  'filesInDir',
  'readDir',
  'toList',
]);

/** Functions that put their last argument in a list: `lib.optional c ./x`, `lib.singleton ./x`. */
const SINGLETON = new Set(['optional', 'singleton']);

/** Functions whose first argument makes list elements: `map (n: ./hosts/${n}) names`. */
const MAPPERS = new Set(['map', 'concatMap', 'mapAttrsToList', 'forEach', 'genList']);

function classOf(ctx: Ctx): ModuleClass {
  return ctx.slice(ctx.indexOf(':') + 1) as ModuleClass;
}

function kindOf(ctx: Ctx): string {
  const colon = ctx.indexOf(':');
  return colon < 0 ? ctx : ctx.slice(0, colon);
}

/** The value one step into a value of `ctx`. */
export function step(ctx: Ctx, s: string): Ctx {
  const kind = kindOf(ctx);
  if (s === 'x') return UNKNOWN;
  if (s === 'b') {
    if (kind === 'map') return `module:${classOf(ctx)}`;
    return ctx;
  }
  if (s === 'e') {
    if (kind === 'list' || kind === 'module') return `module:${classOf(ctx)}`; // mkMerge [ … ]
    if (kind === 'plain') return PLAIN;
    return UNKNOWN;
  }
  if (s.startsWith('k:')) return key(ctx, kind, s.slice(2));
  if (s.startsWith('c:')) {
    const [, fn = '?', i = '0', n = '1'] = s.split(':');
    return call(ctx, kind, fn, Number(i), Number(n));
  }
  return UNKNOWN;
}

function key(ctx: Ctx, kind: string, name: string): Ctx {
  switch (kind) {
    case 'flake':
      return name === 'outputs' ? 'outputs' : PLAIN;
    case 'module': {
      const c = classOf(ctx);
      if (name === 'imports') return `list:${c}`;
      if (name === 'config') return ctx;
      if (c === 'flake-parts') {
        if (name === 'flake') return 'outputs';
        return PLAIN;
      }
      if (name === 'home-manager' && c !== 'home-manager') return 'hm';
      if (name === 'specialisation') return `spec:${c}`;
      if (name === 'containers' && c === 'nixos') return 'containers';
      return PLAIN;
    }
    case 'hm':
      if (name === 'users') return 'hm-users';
      if (name === 'sharedModules') return 'list:home-manager';
      return PLAIN;
    case 'hm-users':
      return 'module:home-manager';
    case 'spec':
      return `spec-entry:${classOf(ctx)}`;
    case 'spec-entry':
      return name === 'configuration' ? `module:${classOf(ctx)}` : PLAIN;
    case 'containers':
      return 'container';
    case 'container':
      return name === 'config' ? 'module:nixos' : PLAIN;
    case 'set':
      return `module:${classOf(ctx)}`;
    case 'args':
      if (name === 'modules' || name === 'extraModules') return `list:${classOf(ctx)}`;
      return PLAIN;
    case 'colmena':
      // A hive: every node is a NixOS module, `defaults` too; `meta` is colmena's own.
      return name === 'meta' ? PLAIN : 'module:nixos';
    case 'test':
      if (name === 'nodes') return 'set:nixos';
      if (name === 'defaults' || name === 'node') return 'module:nixos';
      return PLAIN;
    default: {
      // Flake outputs, plain Nix and unknown values: only the module outputs' names mean something.
      const out = Object.hasOwn(OUTPUT_MODULES, name) ? OUTPUT_MODULES[name] : undefined;
      if (out) return out;
      if (kind === 'outputs') return 'outputs';
      return kind === 'plain' ? PLAIN : UNKNOWN;
    }
  }
}

function call(ctx: Ctx, kind: string, fn: string, index: number, count: number): Ctx {
  const last = index === count - 1;
  const system = Object.hasOwn(SYSTEM_CALLS, fn) ? SYSTEM_CALLS[fn] : undefined;
  if (system) return index === 0 ? `args:${system}` : UNKNOWN;
  if (fn === 'mkFlake') return index === 1 ? 'module:flake-parts' : PLAIN;
  if (TEST_CALLS.has(fn)) return index === 0 ? 'test' : UNKNOWN;
  if (fn === 'callPackage') return PLAIN;
  // `import ./x` and `import ./x args`: the file's value (or what it makes) goes where the call goes.
  if (fn === 'import') return index === 0 ? ctx : PLAIN;
  if (fn === 'scopedImport') return index === 1 ? ctx : PLAIN;
  if (fn === 'import-tree') return kind === 'module' ? `list:${classOf(ctx)}` : UNKNOWN;
  if (TRANSPARENT.has(fn)) return last ? ctx : PLAIN;
  if (SINGLETON.has(fn)) {
    if (!last) return PLAIN;
    return kind === 'list' ? `module:${classOf(ctx)}` : UNKNOWN;
  }
  if (fn === 'attrValues') return kind === 'list' ? `set:${classOf(ctx)}` : UNKNOWN;
  if (MAPPERS.has(fn)) {
    if (index !== 0) return PLAIN;
    return kind === 'list' ? `map:${classOf(ctx)}` : UNKNOWN;
  }
  return UNKNOWN;
}

/** The value at the end of `steps`, starting from a value of `start`. */
export function interpret(start: Ctx, steps: readonly string[]): Ctx {
  let ctx = start;
  for (const s of steps) ctx = step(ctx, s);
  return ctx;
}

/** What a file's files are, for a folder read as a list (`listFilesRecursive ./modules` in `imports`). */
export function elementOf(ctx: Ctx): Ctx {
  return step(ctx, 'e');
}

/** The module class of a context, when it is a module of one. */
export function moduleClass(ctx: Ctx): ModuleClass | undefined {
  return kindOf(ctx) === 'module' ? classOf(ctx) : undefined;
}
