// The real nixpkgs `lib` for tests that ask the module system itself (lib.evalModules) what
// is infinite recursion, what throws and what only warns. Set NIXPKGS_LIB to a checkout's
// `lib` directory (default: `../shared/nixpkgs-lib/lib` beside this repository, where the
// team keeps a copy that is never committed); without one (or without nix-instantiate) those
// tests are skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './run-cli.js';

export const NIXPKGS_LIB = process.env.NIXPKGS_LIB ?? join(REPO, '..', 'shared', 'nixpkgs-lib', 'lib');

export const haveNixpkgsLib =
  existsSync(`${NIXPKGS_LIB}/default.nix`) && spawnSync('nix-instantiate', ['--version']).status === 0;

/**
 * `nix-instantiate --eval --strict --json` of `expr`, with `lib` in scope: the value, or
 * `{ error }` with Nix's message (infinite recursion cannot be caught inside Nix, so each
 * case runs in its own process).
 */
export function evalWithLib(expr: string): { value: unknown } | { error: string } {
  const r = spawnSync(
    'nix-instantiate',
    ['--eval', '--strict', '--json', '-E', `let lib = import ${NIXPKGS_LIB}; in ${expr}`],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (r.status === 0) return { value: JSON.parse(r.stdout) };
  return { error: r.stderr };
}
