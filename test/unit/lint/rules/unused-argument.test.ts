import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/unused-argument.js';
import { ruleTester } from '../../../helpers/rule-tester.js';

const cases: Parameters<typeof ruleTester>[2] = {
  valid: [
    'x: x',
    '{ a, b }: a + b',
    { name: 'underscore names', code: '_: _x: { _a, ... }: 1' },
    { name: 'formal used by another default', code: '{ a, b ? a }: b' },
    {
      name: 'module arguments',
      code: '{ config, lib, pkgs, options, modulesPath, specialArgs, ... }:\n{\n  networking.hostName = "web1";\n}',
    },
    {
      name: 'module through let and with',
      code: '{ config, lib, pkgs, ... }:\nlet x = 1; in with lib; { a = x; }',
    },
    { name: 'explicit module form', code: '{ config, lib, ... }: { options = { }; config = { }; }' },
    {
      name: 'inline module in imports',
      code: '{ lib, ... }: { imports = [ ({ config, pkgs, ... }: { a = lib.id 1; }) ]; }',
    },
    { name: 'formals feed a used @ pattern', code: '{ pkgs, lib, ... }@args: import ./x.nix args' },
    { name: 'used @ pattern', code: 'args@{ ... }: args' },
    { name: 'used under with is still lexical', code: 'pkgs: with pkgs; [ hello ]' },
    {
      name: 'flake outputs: self and inputs are passed by Nix',
      code: '{\n  inputs.nixpkgs.url = "x";\n  outputs = { self, nixpkgs }: { };\n}',
    },
    {
      name: 'configured module args',
      code: '{ config, hostName, ... }: { }',
      options: { moduleArgs: ['config', 'hostName'] },
    },
  ],
  invalid: [
    {
      name: 'flake outputs with ...: an unused input is reported, self is not',
      code: '{\n  outputs = { self, nixpkgs, ... }: { };\n}',
      errors: [{ messageId: 'unusedFormal', line: 2, column: 21 }],
    },
    {
      name: 'lambda argument',
      code: 'map (x: 1) [ 2 ]',
      errors: [{ messageId: 'unusedLambda', line: 1, column: 6, endColumn: 7 }],
    },
    {
      name: 'curried: only the unused one',
      code: 'final: prev: { hello = prev.hello; }',
      errors: [{ messageId: 'unusedLambda', line: 1, column: 1 }],
    },
    {
      name: 'formal of a plain function',
      code: '{ stdenv, lib, fetchurl }:\nstdenv.mkDerivation { name = "x"; }',
      errors: [
        { messageId: 'unusedFormal', line: 1, column: 11 },
        { messageId: 'unusedFormal', line: 1, column: 16 },
      ],
    },
    {
      name: 'a function without ... is no module: its arguments are its interface',
      code: '{ config, pkgs }: { a = pkgs.hello; }',
      errors: [{ messageId: 'unusedFormal', line: 1, column: 3 }],
    },
    {
      name: 'module: a special argument that is not used',
      code: '{ config, lib, pkgs, hostName, ... }:\n{\n  environment.systemPackages = [ pkgs.hello ];\n}',
      errors: [{ messageId: 'unusedFormal', line: 1, column: 22, message: '`hostName`' }],
    },
    {
      name: 'unused @ name before formals',
      code: 'args@{ a, ... }: a',
      errors: [{ messageId: 'unusedPattern', line: 1, column: 1 }],
      output: '{ a, ... }: a',
    },
    {
      name: 'unused @ name after formals',
      code: '{ a, ... } @ args: a',
      errors: [{ messageId: 'unusedPattern', line: 1, column: 14 }],
      output: '{ a, ... }: a',
    },
    {
      name: 'unused @ name and formal',
      code: '{ a, b }@args: b',
      errors: [
        { messageId: 'unusedPattern', line: 1, column: 10 },
        { messageId: 'unusedFormal', line: 1, column: 3 },
      ],
      output: '{ a, b }: b',
    },
    {
      name: 'shadowed argument',
      code: 'x: let x = 1; in x',
      errors: [{ messageId: 'unusedLambda', line: 1, column: 1 }],
    },
    {
      name: 'module function nested in a flake output',
      code: '{\n  nixosModules.web = { config, lib, pkgs, role, ... }: { services.nginx.enable = true; };\n}',
      errors: [{ messageId: 'unusedFormal', line: 2, column: 43, message: '`role`' }],
    },
  ],
};

ruleTester('unused-argument', rule, cases);

// Every fixed output must still be Nix that Nix accepts (inside a `with`, so that the free
// names of the snippets do not count as undefined).
describe('unused-argument fixes parse with nix-instantiate --parse', () => {
  for (const c of cases.invalid) {
    if (c.output === undefined) continue;
    it(c.name ?? c.code, () => {
      const r = spawnSync('nix-instantiate', ['--parse', '-E', `with { }; (${c.output})`], {
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }
});
