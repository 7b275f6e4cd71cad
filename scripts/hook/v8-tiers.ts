// V8's tiers for the hook's JavaScript. A typical push (a few files) ends before the optimising
// compiler's work pays off: it was an eighth of the run's instructions, on threads that share
// the server's cores with everything else. So the hook starts with the baseline tiers only
// and turns the optimiser on when a push brings enough Nix to parse (a large fleet push).
// V8 keys cached code by its flags: `restoreV8Flags` puts every flag back before the code
// cache is written (code-cache.ts checks that they are back).
import { setFlagsFromString } from 'node:v8';
import { restoreDefaultWasmTiers } from '../nix-ast/parser.js';

/** From this much Nix source (characters) to parse, the optimising compiler pays for itself. */
export const OPTIMISE_CHARS = 64 * 1024;

let baselineOnly = false;

/** No optimising compiler (`--no-turbofan`), for the start of a run. */
export function baselineTiers(): void {
  setFlagsFromString('--no-turbofan');
  baselineOnly = true;
}

/** All tiers again, for a run that turned out to have much to parse. */
export function allTiers(): void {
  if (!baselineOnly) return;
  setFlagsFromString('--turbofan');
  baselineOnly = false;
}

/** Every V8 flag the hook changed back to its default (before writing the code cache). */
export function restoreV8Flags(): void {
  allTiers();
  restoreDefaultWasmTiers();
}
