import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/empty-pattern.js';
import { applyFixes, lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

ruleTester('empty-pattern', rule, {
  valid: [
    { name: 'a module file', code: '{ ... }: { networking.hostName = "web1"; }' },
    { name: 'a module file after comments', code: '# role: web\n{ ... }:\n{\n  imports = [ ./a.nix ];\n}' },
    {
      name: 'inline modules in a list',
      code: '{ modules = [ ({ ... }: { services.nginx.enable = true; }) ]; }',
    },
    {
      name: 'value of a module binding',
      code: '{ nixosModules.default = { ... }: { }; homeManagerModules.x = { ... }: { }; }',
    },
    { name: 'body with module keys', code: 'let m = { ... }: { config.x = 1; }; in m' },
    { name: 'binds a name through @', code: '{ f = args@{ ... }: args; g = { ... }@args: args; }' },
    { name: 'has formals', code: '{ f = { pkgs, ... }: pkgs.hello; }' },
    { name: 'an empty set pattern checks its argument', code: '{ f = { }: 1; }' },
    { name: 'already plain', code: '{ f = _: 1; }' },
  ],
  invalid: [
    {
      code: '{ overlay = { ... }: final: prev: { }; }',
      errors: [{ messageId: 'empty', line: 1, column: 13, endColumn: 20 }],
    },
    {
      code: 'let\n  f = {...}: 42;\nin f { }',
      errors: [{ messageId: 'empty', line: 2, column: 7, message: '`{...}`' }],
    },
    {
      name: 'argument of a call that is not a module list',
      code: 'map ({ ... }: 1) [ { } ]',
      errors: [{ messageId: 'empty', line: 1, column: 6 }],
    },
  ],
});

it('empty-pattern: the suggestion keeps the value for set arguments (real Nix)', async () => {
  const code = 'let f = { ... }: 42; in f { a = 1; }';
  const [d] = await lintWithRule('empty-pattern', rule, code);
  const fix = d?.suggestions?.[0]?.fix;
  expect(fix).toBeDefined();
  if (!fix) return;
  const fixed = applyFixes(code, [fix]);
  expect(fixed).toBe('let f = _: 42; in f { a = 1; }');
  const evalNix = (e: string) => execFileSync('nix-instantiate', ['--eval', '-E', e], { encoding: 'utf8' });
  expect(evalNix(fixed)).toBe(evalNix(code));
});
