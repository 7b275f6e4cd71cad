import { expect, it } from 'vitest';
import { lintSource } from '../../../../scripts/lint/engine.js';
import rule from '../../../../scripts/lint/rules/impure-lookup-path.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';
import { lintLenient, pureEval } from './util/nix-parse.js';

ruleTester('impure-lookup-path', rule, {
  valid: [
    '{ pkgs, ... }: pkgs.hello',
    '{ inputs, ... }: import inputs.nixpkgs { system = "x86_64-linux"; }',
    '{ modulesPath, ... }: { imports = [ (modulesPath + "/profiles/minimal.nix") ]; }',
    { name: 'a string, not a lookup', code: '{ a = "<nixpkgs>"; }' },
    { name: 'comparison operators', code: 'a < b && c > d' },
    { name: 'relative path', code: 'import ./nixpkgs.nix' },
    {
      name: 'a formal default: the classic non-flake entry point (a flake passes pkgs)',
      code: '{\n  pkgs ? import <nixpkgs> { }\n}:\npkgs.mkShell { }\n',
    },
    {
      name: 'a formal default deeper in an expression, beside other formals',
      code: '{\n  lib ? (import <nixpkgs> { }).lib,\n  file ? throw "provide file"\n}:\nlib.id file\n',
    },
    {
      name: 'a formal default of an inner function',
      code: 'let f = { pkgs ? import <nixpkgs> { } }: pkgs.hello; in f',
    },
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
    {
      name: 'a lookup in the body of a function whose formals have defaults',
      code: '{ pkgs ? import <nixpkgs> { } }:\nwith import <nixpkgs> { };\nmkShell { }\n',
      errors: [{ messageId: 'lookup', line: 2, column: 13 }],
    },
    {
      name: 'a module branch that falls back on NIX_PATH',
      code: '{ config, lib, pkgs, ... }:\n{\n  _module.args.pkgsPath = if config.x then pkgs.path else <nixpkgs>;\n}\n',
      errors: [{ messageId: 'lookup', line: 3, column: 59 }],
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

it('impure-lookup-path: a formal default is left alone with the trailing comma real files have', async () => {
  // `{ pkgs ? …, }:` is valid Nix that the grammar flags; the formal and its default still parse.
  const code = '{\n  pkgs ? import <nixpkgs> { },\n}:\npkgs.mkShell { }\n';
  expect(await lintLenient('impure-lookup-path', rule, code)).toEqual([]);
});

it('impure-lookup-path: a heuristic rule, so a warning at its default level', async () => {
  const found = await lintSource('shell.nix', 'let pkgs = import <nixpkgs> { }; in pkgs.mkShell { }');
  expect(found.filter((d) => d.rule === 'impure-lookup-path').map((d) => d.severity)).toEqual(['warning']);
});

it('impure-lookup-path: pure evaluation never sees a formal default the caller fills', () => {
  // What the flake does with `import ./shell.nix { inherit pkgs; }`: the default is not evaluated.
  expect(pureEval('({ pkgs ? import <nixpkgs> { } }: pkgs.x) { pkgs = { x = 1; }; }')).toBe('ok');
  expect(pureEval('({ pkgs ? import <nixpkgs> { } }: pkgs.x) { }')).toContain('<nixpkgs>');
});
