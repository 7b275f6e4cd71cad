import { describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import {
  builtinName,
  isLexicallyBound,
  staticAttrName,
  stringLiteralValue,
} from '../../../../../scripts/lint/rules/util/nix.js';
import { parseNix } from '../../../../../scripts/nix-ast/parser.js';

/** The first node of `kind` whose text is `text`, in document order. */
async function find(code: string, kind: string, text: string, nth = 0): Promise<Node> {
  const tree = await parseNix(code);
  const hits = tree.rootNode.descendantsOfType(kind).filter((n) => n?.text === text);
  const hit = hits[nth];
  if (!hit) throw new Error(`no ${kind} ${text} in ${code}`);
  return hit;
}

describe('util/nix', () => {
  it('isLexicallyBound: arguments, formals, let, rec; not with', async () => {
    const bound = async (code: string, nth = 0) =>
      isLexicallyBound(await find(code, 'variable_expression', 'x', nth));
    expect(await bound('x: x')).toBe(true);
    expect(await bound('{ x ? 1 }: x')).toBe(true);
    expect(await bound('{ y ? x, x }: y')).toBe(true); // defaults see every formal
    expect(await bound('let x = 1; in x')).toBe(true);
    expect(await bound('let inherit (s) x; in x')).toBe(true);
    expect(await bound('rec { x = 1; y = x; }')).toBe(true);
    expect(await bound('{ x = 1; y = x; }')).toBe(false); // a plain set binds nothing
    expect(await bound('with { x = 1; }; x')).toBe(false);
    expect(await bound('f: f x')).toBe(false);
  });

  it('builtinName: builtins.f, __f, globals, with builtins, shadowing', async () => {
    expect(builtinName(await find('builtins.getEnv "X"', 'select_expression', 'builtins.getEnv'))).toBe(
      'getEnv',
    );
    expect(builtinName(await find('b: builtins.getEnv', 'select_expression', 'builtins.getEnv'))).toBe(
      'getEnv',
    );
    expect(builtinName(await find('builtins: builtins.getEnv', 'select_expression', 'builtins.getEnv'))).toBe(
      undefined,
    );
    expect(
      builtinName(await find('builtins.getEnv or null', 'select_expression', 'builtins.getEnv or null')),
    ).toBe(undefined);
    expect(builtinName(await find('__getEnv', 'variable_expression', '__getEnv'))).toBe('getEnv');
    const globals = new Set(['fetchGit']);
    expect(builtinName(await find('with pkgs; fetchGit', 'variable_expression', 'fetchGit'), globals)).toBe(
      'fetchGit',
    );
    expect(builtinName(await find('fetchGit: fetchGit', 'variable_expression', 'fetchGit', 0), globals)).toBe(
      undefined,
    );
    expect(builtinName(await find('with builtins; getEnv', 'variable_expression', 'getEnv'))).toBe('getEnv');
    expect(builtinName(await find('with builtins; with lib; getEnv', 'variable_expression', 'getEnv'))).toBe(
      undefined,
    );
    // A `with`'s own environment is outside it.
    expect(builtinName(await find('with builtins; with getEnv; 1', 'variable_expression', 'getEnv'))).toBe(
      'getEnv',
    );
    expect(builtinName(await find('with getEnv; 1', 'variable_expression', 'getEnv'))).toBe(undefined);
  });

  it('literal names and strings', async () => {
    expect(stringLiteralValue(await find('"a\\nb"', 'string_expression', '"a\\nb"'))).toBe('a\nb');
    expect(stringLiteralValue(await find("''a''$b''", 'indented_string_expression', "''a''$b''"))).toBe(
      'a$b',
    );
    expect(stringLiteralValue(await find("''a'''b''", 'indented_string_expression', "''a'''b''"))).toBe(
      "a''b",
    );
    // Built from pieces: `$` + `{` written together reads as a template placeholder to linters.
    const open = '$' + '{';
    const escaped = `"a\\${open}b}"`;
    expect(stringLiteralValue(await find(escaped, 'string_expression', escaped))).toBe(`a${open}b}`);
    const interpolated = `"a${open}b}"`;
    expect(stringLiteralValue(await find(interpolated, 'string_expression', interpolated))).toBe(undefined);
    expect(staticAttrName(await find('{ "a" = 1; }', 'string_expression', '"a"'))).toBe('a');
    // Indented strings lose their common indentation, as in Nix.
    const block = "''\n  a\n    b\n''";
    expect(stringLiteralValue(await find(block, 'indented_string_expression', block))).toBe('a\n  b\n');
    // `\$` is one `$`, and `$${` is literal text.
    const dollars = `"\\${open}a} $${open}b}"`;
    expect(stringLiteralValue(await find(dollars, 'string_expression', dollars))).toBe(
      `${open}a} $${open}b}`,
    );
  });
});
