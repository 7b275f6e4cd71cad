// Where a path literal sits, as steps from the file's root: the facts the graph reads.
import { describe, expect, it } from 'vitest';
import { stepsTo } from '../../../scripts/module-graph/steps.js';
import { parseNix } from '../../../scripts/nix-ast/parser.js';

/** Steps to every relative path literal of `code`, by its text. */
async function steps(code: string): Promise<Record<string, string>> {
  const tree = await parseNix(code);
  try {
    const out: Record<string, string> = {};
    for (const node of tree.rootNode.descendantsOfType('path_expression'))
      if (node) out[node.text] = stepsTo(node).join(' ');
    return out;
  } finally {
    tree.delete();
  }
}

describe('stepsTo', () => {
  it('imports of a module function, dotted and nested keys', async () => {
    expect(
      await steps('{ config, ... }: { imports = [ ./a.nix (./b) ]; home-manager.users.me = ./home.nix; }'),
    ).toEqual({
      './a.nix': 'b k:imports e',
      './b': 'b k:imports e',
      './home.nix': 'b k:home-manager k:users k:me',
    });
  });

  it('calls: which argument of how many, and the function by its last name', async () => {
    expect(
      await steps(
        '{ x = lib.nixosSystem { modules = [ ./h ]; }; y = import ./p { }; z = flake-parts.lib.mkFlake { inherit inputs; } ./fp.nix; }',
      ),
    ).toEqual({
      './h': 'k:x c:nixosSystem:0:1 k:modules e',
      './p': 'k:y c:import:0:2',
      './fp.nix': 'k:z c:mkFlake:1:2',
    });
  });

  it('passes through parentheses, let, with, assert, if branches, ++ and //', async () => {
    expect(
      await steps(
        'let m = ./let-bound.nix; in with lib; assert true; { imports = (if c then [ ./t ] else [ ./f ]) ++ optionals c [ ./o ]; } // { imports = [ ./m ]; }',
      ),
    ).toEqual({
      './let-bound.nix': 'x k:m',
      './t': 'k:imports e',
      './f': 'k:imports e',
      './o': 'k:imports c:optionals:1:2 e',
      './m': 'k:imports e',
    });
  });

  it('opaque places: an if condition, a selection, a formal default, a function called', async () => {
    expect(
      await steps(
        '{ a = if builtins.pathExists ./c then 1 else 2; b = (import ./s).x; f = { p ? ./d }: p; g = (./q) 1; }',
      ),
    ).toEqual({
      './c': 'k:a x c:pathExists:0:1',
      './s': 'k:b x c:import:0:1',
      './d': 'k:f x',
      './q': 'k:g x',
    });
  });

  it('a path built from a folder and a name is one reference', async () => {
    expect(await steps(`{ imports = map (n: ./hosts + "/\${n}.nix") names; }`)).toEqual({
      './hosts': 'k:imports c:map:0:2 b',
    });
  });
});
