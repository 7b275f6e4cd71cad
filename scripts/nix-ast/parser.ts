// Loads tree-sitter-nix once per process through web-tree-sitter. The grammar .wasm comes
// from an npm package (we commit no generated parser), resolved relative to this module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Parser, Tree } from 'web-tree-sitter';

const GRAMMAR = '@cursorless/tree-sitter-wasms/out/tree-sitter-nix.wasm';

let ready: Promise<Parser> | undefined;

/** The shared parser; the wasm runtime and grammar load on first use only. */
export function nixParser(): Promise<Parser> {
  ready ??= (async () => {
    // Imported here, not at the top: commands that never parse (`--help`, `rules`) skip it.
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(readFileSync(require.resolve(GRAMMAR)));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return ready;
}

/** Parses Nix source; positions in the tree are UTF-16 code units, as in JavaScript strings. */
export async function parseNix(source: string): Promise<Tree> {
  const parser = await nixParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
