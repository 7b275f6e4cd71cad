// The entry of the pre-receive run, as the CLI loads it: built alone as the one-file bundle
// `dist/hook-pre-receive.cjs` (run with V8's code cache, code-cache.ts), or imported from
// source. It tunes V8 for a short run before the work starts (v8-tiers.ts: the baseline tiers
// for the JavaScript and for the parser's WebAssembly, which loads only when a push brings
// Nix); pre-receive.ts does the work and knows nothing of V8.
import { preferBaselineWasm } from '../nix-ast/parser.js';
import { type PreReceiveOptions, type PreReceiveResult, preReceive as run } from './pre-receive.js';
import { baselineTiers } from './v8-tiers.js';

// For the code cache (code-cache.ts): the bundle's own copies of these modules are the ones
// that ran.
export { parserStarted } from '../nix-ast/parser.js';
export { restoreV8Flags } from './v8-tiers.js';
export type { PreReceiveOptions, PreReceiveResult };

export function preReceive(opts: PreReceiveOptions): Promise<PreReceiveResult> {
  baselineTiers();
  preferBaselineWasm();
  return run(opts);
}
