// `inherit;` is valid Nix that tree-sitter-nix marks with a MISSING identifier, so the shared
// rule tester (which refuses trees with errors) cannot run it; these cases run the rule
// directly and let `nix-instantiate --parse` confirm both the input and the fix.
import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/empty-inherit.js';
import { applyFixes, ruleTester } from '../../../helpers/rule-tester.js';
import { lintLenient, nixParse } from './util/nix-parse.js';

ruleTester('empty-inherit', rule, {
  valid: ['{ inherit a; }', '{ inherit (x) a b; }', 'let inherit (pkgs) lib; in lib', '{ inherit "a"; }'],
  invalid: [],
});

const cases = [
  { code: '{ inherit; a = 1; }', at: [1, 3], output: '{ a = 1; }', text: 'inherit;' },
  { code: '{ a = 1; inherit (x) ; }', at: [1, 10], output: '{ a = 1; }', text: 'inherit (x) ;' },
  { code: '{\n  a = 1;\n  inherit (pkgs);\n  b = 2;\n}', at: [3, 3], output: '{\n  a = 1;\n  b = 2;\n}' },
  { code: 'let inherit; in 1', at: [1, 5], output: 'let in 1' },
  { code: 'rec {\n  inherit ;\n}', at: [2, 3], output: 'rec {\n}' },
];

describe('empty-inherit (valid Nix that tree-sitter marks)', () => {
  for (const c of cases) {
    it(JSON.stringify(c.code), async () => {
      const found = await lintLenient('empty-inherit', rule, c.code);
      expect(found.map((d) => [d.line, d.column])).toEqual([c.at]);
      if (c.text) expect(found[0]?.message).toContain(`\`${c.text}\``);
      const fixed = applyFixes(
        c.code,
        found.flatMap((d) => (d.fix ? [d.fix] : [])),
      );
      expect(fixed).toBe(c.output);
      expect(nixParse(fixed)).toBe(nixParse(c.code));
    });
  }
  it('leaves an inherit alone when only comments stand in it', async () => {
    expect(await lintLenient('empty-inherit', rule, '{ inherit /* a */ b; }')).toEqual([]);
  });
});
