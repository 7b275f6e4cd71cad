import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/manual-inherit.js';
import { applyFixes, lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

ruleTester('manual-inherit', rule, {
  valid: [
    '{ inherit a; }',
    '{ inherit (x) a; }',
    '{ a = b; }',
    '{ a = x.b; }',
    { name: 'a default changes the meaning', code: '{ a = x.a or null; }' },
    { name: 'nested key is not an inherit', code: '{ a.b = b; c.d = x.d; }' },
    { name: 'quoted key', code: '{ "a" = a; }' },
    { name: 'attribute in the middle of the path', code: '{ a = x.a.b; }' },
    { name: 'a call, not a variable', code: '{ a = a x; }' },
    { name: 'let binding of another name', code: 'let a = b; in a' },
  ],
  invalid: [
    {
      code: '{ a = a; }',
      errors: [{ messageId: 'variable', line: 1, column: 3, endColumn: 9 }],
      output: '{ inherit a; }',
    },
    {
      code: '{ pkgs, ... }: {\n  nixpkgs = { pkgs = pkgs; };\n}',
      errors: [{ messageId: 'variable', line: 2, column: 15 }],
      output: '{ pkgs, ... }: {\n  nixpkgs = { inherit pkgs; };\n}',
    },
    {
      code: '{ package = pkgs.package; }',
      errors: [{ messageId: 'select', line: 1, column: 3, message: 'inherit (pkgs) package;' }],
      output: '{ inherit (pkgs) package; }',
    },
    {
      name: 'longer path and a parenthesized base',
      code: '{ a = x.y.a; b = (f 1).b; c = x."c"; }',
      errors: [
        { messageId: 'select', line: 1, column: 3 },
        { messageId: 'select', line: 1, column: 14 },
        { messageId: 'select', line: 1, column: 27 },
      ],
      output: '{ inherit (x.y) a; inherit (f 1) b; inherit (x) c; }',
    },
    {
      name: 'selecting from a set is a rewrite also in let and rec',
      code: 'let lib = x.lib; in rec { y = lib.y; }',
      errors: [
        { messageId: 'select', line: 1, column: 5 },
        { messageId: 'select', line: 1, column: 27 },
      ],
      output: 'let inherit (x) lib; in rec { inherit (lib) y; }',
    },
    {
      name: 'self reference in rec: reported, only suggested',
      code: 'rec { a = a; }',
      errors: [{ messageId: 'selfReference', line: 1, column: 7, message: 'rec { }' }],
    },
    {
      name: 'self reference in let: reported, only suggested',
      code: 'x: let x = x; in x',
      errors: [{ messageId: 'selfReference', line: 1, column: 8, message: '`let`' }],
    },
    {
      name: 'a plain set inside rec refers outward: a rewrite',
      code: 'rec { a = 1; b = { a = a; }; }',
      errors: [{ messageId: 'variable', line: 1, column: 20 }],
      output: 'rec { a = 1; b = { inherit a; }; }',
    },
    {
      name: 'comment inside: suggested only',
      code: '{ a = /* same */ a; }',
      errors: [{ messageId: 'variable', line: 1, column: 3 }],
    },
  ],
});

const evalNix = (e: string) =>
  execFileSync('nix-instantiate', ['--eval', '--strict', '-E', e], {
    encoding: 'utf8',
    stdio: 'pipe',
  }).trim();

it('manual-inherit: fixes keep the value in real Nix', async () => {
  const cases = [
    'let a = 1; x = { b = 2; y = { c = 3; }; }; in { a = a; b = x.b; c = x.y.c; }',
    'let x = { lib = { y = 4; }; }; in let lib = x.lib; in rec { y = lib.y; z = y; }',
    'with { a = 5; }; { a = a; }',
    'rec { a = 1; b = { a = a; }; }',
  ];
  for (const code of cases) {
    const found = await lintWithRule('manual-inherit', rule, code);
    expect(found.length).toBeGreaterThan(0);
    const fixed = applyFixes(
      code,
      found.flatMap((d) => (d.fix ? [d.fix] : [])),
    );
    expect(fixed).toContain('inherit');
    expect(evalNix(fixed)).toBe(evalNix(code));
  }
});

it('manual-inherit: a self reference really is infinite recursion, and the suggestion is not', async () => {
  expect(() => evalNix('let a = 1; in rec { a = a; }')).toThrow(/infinite recursion/);
  const code = 'let a = 1; in rec { a = a; }';
  const [d] = await lintWithRule('manual-inherit', rule, code);
  const suggestion = d?.suggestions?.[0];
  expect(suggestion).toBeDefined();
  if (suggestion) expect(evalNix(applyFixes(code, [suggestion.fix]))).toBe('{ a = 1; }');
});
