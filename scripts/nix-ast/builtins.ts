// The names Nix binds in its base environment, outside any file. Listed by asking Nix 2.8
// which of `builtins`' names evaluate as a bare variable, plus the ones newer Nix adds.
// Every builtin is also reachable as `__name` (e.g. `__currentSystem`), so any name with a
// `__` prefix counts as global.

const GLOBALS: ReadonlySet<string> = new Set([
  'abort',
  'baseNameOf',
  'break',
  'builtins',
  'derivation',
  'derivationStrict',
  'dirOf',
  'false',
  'fetchGit',
  'fetchMercurial',
  'fetchTarball',
  'fetchTree',
  'fromTOML',
  'import',
  'isNull',
  'map',
  'null',
  'placeholder',
  'removeAttrs',
  'scopedImport',
  'throw',
  'toString',
  'true',
]);

/** True when `name` is bound by Nix itself (a global such as `map`, `true` or `__add`). */
export function isGlobalName(name: string): boolean {
  return GLOBALS.has(name) || name.startsWith('__');
}
