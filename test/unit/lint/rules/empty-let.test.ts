import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/empty-let.js';
import { applyFixes, lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const invalid = [
  { code: 'let in x', errors: [{ messageId: 'empty', line: 1, column: 1, endColumn: 9 }], output: 'x' },
  {
    code: '{\n  a = let in { b = 1; };\n}',
    errors: [{ messageId: 'empty', line: 2, column: 7 }],
    output: '{\n  a = { b = 1; };\n}',
  },
  {
    name: 'body that is an operator expression',
    code: 'f (let in a + b)',
    errors: [{ messageId: 'empty', line: 1, column: 4 }],
    output: 'f (a + b)',
  },
  {
    name: 'nested: both removed at once (the fixes do not overlap)',
    code: 'let\nin let in x',
    errors: [
      { messageId: 'empty', line: 1, column: 1 },
      { messageId: 'empty', line: 2, column: 4 },
    ],
    output: 'x',
  },
  {
    name: 'comments inside: suggestion only, no fix',
    code: 'let # nothing yet\nin x',
    errors: [{ messageId: 'empty', line: 1, column: 1 }],
  },
];

ruleTester('empty-let', rule, {
  valid: [
    'let a = 1; in a',
    'let inherit (x) a; in a',
    'let inherit a; in a',
    '{ a = "let in"; }',
    { name: 'legacy let is a different rule', code: 'let { body = 1; }' },
  ],
  invalid,
});

// `nix-instantiate --parse` keeps an empty let in its output, so real Nix judges by value.
it('empty-let: the fixed expression evaluates to the same value in real Nix', async () => {
  const evalNix = (e: string) =>
    execFileSync('nix-instantiate', ['--eval', '--strict', '-E', e], { encoding: 'utf8' });
  for (const code of ['let in { b = let in 1 + 2; }', '(x: let in x * 2) 3', '[ (let in "s") ]']) {
    const found = await lintWithRule('empty-let', rule, code);
    const fixed = applyFixes(
      code,
      found.flatMap((d) => (d.fix ? [d.fix] : [])),
    );
    expect(fixed).not.toContain('let');
    expect(evalNix(`(${fixed}) == (${code})`)).toBe('true\n');
  }
});

it('empty-let: the comment case offers the removal as a suggestion', async () => {
  const [d] = await lintWithRule('empty-let', rule, 'let # nothing yet\nin x');
  expect(d?.suggestions?.map((s) => applyFixes('let # nothing yet\nin x', [s.fix]))).toEqual(['x']);
});
