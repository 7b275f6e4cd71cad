// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
// The shared node index must answer exactly what tree-sitter's descendantsOfType answers,
// primed or not, for any subset of kinds (anonymous tokens spelled like a kind included).
import { describe, expect, it } from 'vitest';
import { nodesOfKinds, primeNodeIndex, shareKinds } from '../../../scripts/nix-ast/node-index.js';
import { parseNix } from '../../../scripts/nix-ast/parser.js';

const SOURCES = [
  '{ a = 1; inherit b; inherit (c) d; e.f = { g = h; }; }',
  'let x = y: y; inherit (z) w; in rec { a = x 1; b = a; }',
  '{ config, lib, ... }@args: with lib; { "q${r}" = [ (s) ]; t = ./p; }',
  '{ a = ; b = 1; }',
  '',
];

function signature(nodes: { startIndex: number; endIndex: number; typeId: number }[]): string[] {
  return nodes.map((n) => `${n.typeId}:${n.startIndex}-${n.endIndex}`);
}

describe('nodesOfKinds', () => {
  it('equals descendantsOfType, with type ids and ends, primed or not', async () => {
    shareKinds(['variable_expression', 'inherit']);
    const asks = [
      ['binding', 'inherit', 'inherit_from'],
      ['variable_expression'],
      ['function_expression', 'binding_set', 'formals', 'formal'],
      ['identifier'],
    ];
    for (const code of SOURCES) {
      for (const primed of [false, true]) {
        const tree = await parseNix(code);
        try {
          if (primed)
            primeNodeIndex(tree, ['binding', 'function_expression', 'binding_set', 'formals', 'formal']);
          for (const kinds of asks) {
            const got = nodesOfKinds(tree, kinds);
            const want = tree.rootNode.descendantsOfType(kinds).filter((n) => n !== null);
            expect(signature(got.nodes)).toEqual(signature(want));
            expect(got.types).toEqual(want.map((n) => n.typeId));
            expect(got.ends).toEqual(want.map((n) => n.endIndex));
          }
        } finally {
          tree.delete();
        }
      }
    }
  });
});
