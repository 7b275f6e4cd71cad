import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/bool-simplification.js';
import { applyFixes, type InvalidCase, lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';
import { nixParse } from './util/nix-parse.js';

const invalid: InvalidCase[] = [
  {
    code: '{ enable = !(cfg.mode == "off"); }',
    errors: [{ messageId: 'negated', line: 1, column: 12, endColumn: 32, message: '`a != b`' }],
    output: '{ enable = cfg.mode != "off"; }',
  },
  { code: '!(a != b)', errors: [{ messageId: 'negated', line: 1, column: 1 }], output: 'a == b' },
  {
    name: 'ordering operators, as Nix defines them',
    code: '[ (!(a < b)) (!(a >= b)) (!(a > b)) (!(a <= b)) ]',
    errors: [
      { messageId: 'negated', line: 1, column: 4 },
      { messageId: 'negated', line: 1, column: 15 },
      { messageId: 'negated', line: 1, column: 27 },
      { messageId: 'negated', line: 1, column: 38 },
    ],
    output: '[ (a >= b) (a < b) (a <= b) (a > b) ]',
  },
  {
    name: 'operand of && stays bare; of == needs parentheses',
    code: '!(a == b) && c == !(d < e)',
    errors: [
      { messageId: 'negated', line: 1, column: 1 },
      { messageId: 'negated', line: 1, column: 19 },
    ],
    output: 'a != b && c == (d >= e)',
  },
  {
    name: 'if condition',
    code: 'if !(x == 1) then a else b',
    errors: [{ messageId: 'negated', line: 1, column: 4 }],
    output: 'if x != 1 then a else b',
  },
];

ruleTester('bool-simplification', rule, {
  valid: ['a != b', '!a', '!(a && b)', '!(f x)', '!(a.b)', '-(a - b)', '!(a // b)'],
  invalid,
});

it('bool-simplification: each negated operator has the same value in real Nix', () => {
  const pairs = ['1 2', '2 1', '1 1', '"a" "b"', '1.5 1'];
  const ops = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };
  const checks = Object.entries(ops).flatMap(([op, neg]) =>
    pairs.map((p) => `(a: b: (!(a ${op} b)) == (a ${neg} b)) ${p}`),
  );
  const out = execFileSync(
    'nix-instantiate',
    ['--eval', '--strict', '-E', `[ ${checks.map((c) => `(${c})`).join(' ')} ]`],
    {
      encoding: 'utf8',
    },
  );
  expect(out.trim()).toBe(`[ ${checks.map(() => 'true').join(' ')} ]`);
});

it('bool-simplification: every fixed output is valid Nix', async () => {
  for (const c of invalid) {
    const found = await lintWithRule('bool-simplification', rule, c.code);
    const fixed = applyFixes(
      c.code,
      found.flatMap((d) => (d.fix ? [d.fix] : [])),
    );
    expect(() => nixParse(fixed)).not.toThrow();
  }
});
