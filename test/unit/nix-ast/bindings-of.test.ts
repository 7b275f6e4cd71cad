// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
// forEachBinding must visit exactly the bindings, inherits and inherit_froms of each set's
// binding_set, in order, whether the node index was primed or not; plainKey must read the
// names attrpathSegments reads, or give up.

import { describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { attrpathSegments, childOfType } from '../../../scripts/nix-ast/attrpaths.js';
import { bindingsComplete, forEachBinding, plainKey } from '../../../scripts/nix-ast/bindings-of.js';
import { primeNodeIndex } from '../../../scripts/nix-ast/node-index.js';
import { parseNix } from '../../../scripts/nix-ast/parser.js';

const SOURCES = [
  '{ a = 1; inherit b; inherit (c) d; e.f = { g = h; inherit i; }; # c\n j = rec { k = { }; }; }',
  '{ config, ... }: { config = lib.mkIf x { a.b-c\' = 1; "q".r = 2; ${s} = 3; t /* c */ . u = 4; v.w=5; }; }',
  'let x = { a = 1; }; in { y = x // { b = { c = 2; }; }; z = [ { d = 3; } ]; }',
  '{ a = ; b = { c = 1; }; }',
];

const SETS = ['attrset_expression', 'rec_attrset_expression'];

function expected(set: Node): string[] {
  const bindings = childOfType(set, 'binding_set')?.namedChildren ?? [];
  return bindings
    .filter((b): b is Node => !!b && ['binding', 'inherit', 'inherit_from'].includes(b.type))
    .map((b) => `${b.type}@${b.startIndex}`);
}

describe('forEachBinding', () => {
  it('visits the children of each binding_set, primed or not, with or without syntax errors', async () => {
    for (const source of SOURCES) {
      for (const primed of [false, true]) {
        const tree = await parseNix(source);
        if (primed) primeNodeIndex(tree, []);
        for (const set of tree.rootNode.descendantsOfType(SETS)) {
          if (!set) continue;
          const seen: string[] = [];
          forEachBinding(set, (b, kind, complete) => {
            expect(complete).toBe(!tree.rootNode.hasError);
            seen.push(`${kind}@${b.startIndex}`);
          });
          expect(seen).toEqual(expected(set));
        }
        expect(bindingsComplete(tree)).toBe(!tree.rootNode.hasError);
        tree.delete();
      }
    }
  });
});

describe('plainKey', () => {
  it('reads the names of plain keys as attrpathSegments does, and nothing else', async () => {
    for (const source of SOURCES.slice(0, 3)) {
      const tree = await parseNix(source);
      for (const b of tree.rootNode.descendantsOfType('binding')) {
        if (!b) continue;
        const segments = attrpathSegments(b.childForFieldName('attrpath') as Node);
        const names = plainKey(source, b.startIndex);
        const text = (b.childForFieldName('attrpath') as Node).text;
        if (/^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$/.test(text))
          expect(names).toEqual(segments.map((s) => s.name));
        else expect(names).toBeUndefined();
      }
      tree.delete();
    }
  });
});
