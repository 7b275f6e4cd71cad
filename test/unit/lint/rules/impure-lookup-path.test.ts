import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/impure-lookup-path.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

ruleTester('impure-lookup-path', rule, {
  valid: [
    '{ pkgs, ... }: pkgs.hello',
    '{ inputs, ... }: import inputs.nixpkgs { system = "x86_64-linux"; }',
    '{ modulesPath, ... }: { imports = [ (modulesPath + "/profiles/minimal.nix") ]; }',
    { name: 'a string, not a lookup', code: '{ a = "<nixpkgs>"; }' },
    { name: 'comparison operators', code: 'a < b && c > d' },
    { name: 'relative path', code: 'import ./nixpkgs.nix' },
  ],
  invalid: [
    {
      code: 'import <nixpkgs> { }',
      errors: [{ messageId: 'lookup', line: 1, column: 8, endColumn: 17, message: '`<nixpkgs>`' }],
    },
    {
      code: '{\n  imports = [ <nixpkgs/nixos/modules/profiles/minimal.nix> ];\n}',
      errors: [{ messageId: 'lookup', line: 2, column: 15 }],
    },
    {
      code: 'let home-manager = <home-manager>; in x',
      errors: [{ messageId: 'lookup', line: 1, column: 20 }],
    },
  ],
});

it('impure-lookup-path: help points to modulesPath, pkgs or a flake input', async () => {
  const help = async (code: string) => (await lintWithRule('impure-lookup-path', rule, code))[0]?.help;
  expect(await help('<nixpkgs/nixos/modules/profiles/minimal.nix>')).toContain(
    '(modulesPath + "/profiles/minimal.nix")',
  );
  expect(await help('import <nixpkgs> { }')).toContain('inputs.nixpkgs');
  expect(await help('<home-manager/nixos>')).toContain('Add `home-manager` as a flake input');
});
