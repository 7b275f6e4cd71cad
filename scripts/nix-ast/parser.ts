// Loads tree-sitter-nix once per process through web-tree-sitter. The grammar .wasm comes
// from an npm package (we commit no generated parser), resolved relative to this module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Parser, Tree } from 'web-tree-sitter';

const GRAMMAR = '@cursorless/tree-sitter-wasms/out/tree-sitter-nix.wasm';

let ready: Promise<Parser> | undefined;
let baselineOnly = false;
/** V8's flag setter, once `preferBaselineWasm` took effect. */
let setFlags: ((flags: string) => void) | undefined;

/**
 * For short-lived processes (the server hook): compile the parser's WebAssembly with V8's
 * baseline compiler only. Its optimising tier-up costs more CPU than it saves in a run that
 * parses a few files (measured: a third of the hook's instructions). Set at run time, not as
 * `node --liftoff-only`: a V8 flag on the command line makes Node reject the code cache of its
 * own modules. Call before the first `nixParser()`; the flag holds for the whole process.
 */
export function preferBaselineWasm(): void {
  baselineOnly = true;
}

/** The shared parser; the wasm runtime and grammar load on first use only. */
export function nixParser(): Promise<Parser> {
  ready ??= (async () => {
    // Imported here, not at the top: commands that never parse (`--help`, `rules`) skip it.
    const { Language, Parser } = await import('web-tree-sitter');
    // After the imports above: Node modules loaded after a flag change miss their code cache.
    if (baselineOnly) {
      setFlags = (await import('node:v8')).setFlagsFromString;
      setFlags('--liftoff-only');
    }
    const require = createRequire(import.meta.url);
    // Handed over, not found by web-tree-sitter beside its own script: the hook's bundle
    // (hook/code-cache.ts) carries that script in dist/, away from its .wasm.
    await Parser.init({ wasmBinary: readFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm')) });
    const language = await Language.load(readFileSync(require.resolve(GRAMMAR)));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return ready;
}

/** Whether this process has started loading the parser (then its code has run). */
export function parserStarted(): boolean {
  return ready !== undefined;
}

/**
 * Puts back V8's default WebAssembly tiers after `preferBaselineWasm` (the code cache of a
 * run is keyed by the flags it started with, see hook/code-cache.ts). The parser is done.
 */
export function restoreDefaultWasmTiers(): void {
  setFlags?.('--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering');
}

/** Parses Nix source; positions in the tree are UTF-16 code units, as in JavaScript strings. */
export async function parseNix(source: string): Promise<Tree> {
  const parser = await nixParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
