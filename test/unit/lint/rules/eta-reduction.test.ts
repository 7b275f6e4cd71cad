import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/eta-reduction.js';
import { applyFixes, lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

ruleTester('eta-reduction', rule, {
  valid: [
    'map toString paths',
    { name: 'argument used twice', code: 'x: f x x' },
    { name: 'argument inside the function part', code: 'x: x.f x' },
    { name: 'argument not last', code: 'x: f x 1' },
    { name: 'another argument', code: 'x: f y' },
    { name: 'a set pattern', code: '{ a }: f a' },
    { name: 'pattern with a name', code: 'args@{ ... }: f args' },
    { name: 'body is not a call', code: 'x: x' },
  ],
  invalid: [
    {
      code: 'map (p: toString p) paths',
      errors: [{ messageId: 'reducible', line: 1, column: 6, endColumn: 19, message: 'use `toString`' }],
    },
    {
      code: '{ f = x: lib.concatStringsSep "," x; }',
      errors: [{ messageId: 'reducible', line: 1, column: 7, message: 'use `lib.concatStringsSep ","`' }],
    },
  ],
});

it('eta-reduction: the suggestion gives the same results (real Nix)', async () => {
  const code = 'let f = x: builtins.concatStringsSep "," x; in f [ "a" "b" ]';
  const [d] = await lintWithRule('eta-reduction', rule, code);
  const fix = d?.suggestions?.[0]?.fix;
  expect(fix).toBeDefined();
  if (!fix) return;
  const fixed = applyFixes(code, [fix]);
  expect(fixed).toBe('let f = builtins.concatStringsSep ","; in f [ "a" "b" ]');
  const evalNix = (e: string) => execFileSync('nix-instantiate', ['--eval', '-E', e], { encoding: 'utf8' });
  expect(evalNix(fixed)).toBe(evalNix(code));
});
