// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
// The grammar-gap finder: which constructs it rewrites, that it keeps every offset, and that
// it is not fooled by strings, comments, URIs or interpolation.
import { describe, expect, it } from 'vitest';
import { applyGaps, codeTokens, findGaps } from '../../../scripts/nix-ast/gaps.js';
import { parseNix } from '../../../scripts/nix-ast/parser.js';

const kinds = (code: string) => findGaps(code).map((g) => [g.kind, g.start]);

async function parsesCleanly(code: string): Promise<boolean> {
  const tree = await parseNix(code);
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

describe('findGaps', () => {
  it('finds a trailing comma in formals, with blanks and comments before the brace', () => {
    expect(kinds('{ a, b, }: a')).toEqual([['formals-trailing-comma', 6]]);
    expect(kinds('{ a, b /* c */ , # c\n}: a')).toEqual([['formals-trailing-comma', 15]]);
    expect(kinds('args @ { a, }: args')).toEqual([['formals-trailing-comma', 10]]);
    expect(kinds('{ a, b }: a')).toEqual([]);
  });

  it('finds an empty inherit and leaves its text as written', () => {
    const code = '{ inherit; a = 1; inherit (x.y) ; inherit (z) b; }';
    const gaps = findGaps(code);
    expect(gaps.map((g) => [g.kind, code.slice(g.start, g.end)])).toEqual([
      ['empty-inherit', 'inherit;'],
      ['empty-inherit', 'inherit (x.y) ;'],
    ]);
    expect(applyGaps(code, gaps)).toBe(code);
  });

  it('finds a home path that starts with an interpolation, and pipe operators', () => {
    expect(kinds('x: ~/${x}')).toEqual([['home-path-interpolation', 3]]);
    expect(kinds('x: ~/a/${x}')).toEqual([]);
    expect(kinds('x |> f <| y')).toEqual([
      ['pipe-operator', 2],
      ['pipe-operator', 7],
    ]);
    expect(kinds('a || b')).toEqual([]);
  });

  it('ignores look-alikes in strings, comments and URIs', () => {
    const code = [
      '{ a = "x, }"; # y, }',
      '  b = /* z, } |> */ 1;',
      "  c = ''",
      "    ''${ ,} ''' , } $${ , } ' ,}",
      "  '';",
      '  d = http://host/a,}b;',
      '  e = "${ "{ , }" }";',
      '}',
    ].join('\n');
    expect(findGaps(code)).toEqual([]);
  });

  it('sees code inside interpolations in strings, indented strings and paths', () => {
    const code = '"${({ a, }: a) 1}" + \'\'${({ b, }: b) 2}\'\' + ./${({ c, }: c) "x"}';
    expect(findGaps(code).map((g) => g.kind)).toEqual([
      'formals-trailing-comma',
      'formals-trailing-comma',
      'formals-trailing-comma',
    ]);
  });

  it("lexes `x:x` as a URI and `foo''` as an identifier, as Nix does", () => {
    expect(codeTokens('x:x').map((t) => t.type)).toEqual(['uri']);
    expect(codeTokens("foo'' , }").map((t) => t.text)).toEqual(["foo''", ',', '}']);
  });
});

describe('applyGaps', () => {
  const cases = [
    '{\n  a,\n  b ? { },\n}:\na',
    'x: ~/${x}/y',
    'x: f: x |> f |> f',
    'f: x: f <| f <| x',
    '{ lib, ... }:\n{ options = { }; f = { a, }: a; }',
  ];
  for (const code of cases) {
    it(`keeps offsets and gives tree-sitter a clean parse: ${JSON.stringify(code)}`, async () => {
      expect(await parsesCleanly(code)).toBe(false);
      const rewritten = applyGaps(code, findGaps(code));
      expect(rewritten).toHaveLength(code.length);
      expect(rewritten.split('\n').map((l) => l.length)).toEqual(code.split('\n').map((l) => l.length));
      expect(await parsesCleanly(rewritten)).toBe(true);
    });
  }
});
