import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/impure-builtin.js';
import { ruleTester } from '../../../helpers/rule-tester.js';
import { pureEval } from './util/nix-parse.js';

ruleTester('impure-builtin', rule, {
  valid: [
    'builtins.readFile ./motd',
    'builtins ? currentSystem',
    '{ pkgs, ... }: pkgs.stdenv.hostPlatform.system',
    { name: 'attribute of another set', code: '{ system = pkgs.currentSystem; e = lib.getEnv; }' },
    { name: 'a local builtins shadows the global', code: 'builtins: builtins.getEnv "HOME"' },
    { name: 'a let binding shadows the with', code: 'let getEnv = x: x; in with builtins; getEnv "HOME"' },
    { name: 'an argument shadows the with', code: '{ currentSystem }: with builtins; currentSystem' },
    { name: 'the innermost with is not builtins', code: 'with builtins; with lib; getEnv "X"' },
    { name: 'bare name without with is not the builtin', code: '{ a = currentSystem; }' },
    { name: 'attribute names are not uses', code: '{ currentSystem = "x86_64-linux"; getEnv = 1; }' },
    { name: 'inherit from another set', code: '{ inherit (lib) getEnv; }' },
  ],
  invalid: [
    {
      code: '{ home = builtins.getEnv "HOME"; }',
      errors: [{ messageId: 'impure', line: 1, column: 10, endColumn: 25, message: '`builtins.getEnv`' }],
    },
    {
      code: '{\n  nixpkgs.system = builtins.currentSystem;\n  t = builtins.currentTime;\n}',
      errors: [
        { messageId: 'impure', line: 2, column: 20 },
        { messageId: 'impure', line: 3, column: 7 },
      ],
    },
    {
      name: 'with a default: still impure outside pure mode',
      code: 'builtins.currentSystem or "x86_64-linux"',
      errors: [{ messageId: 'impure', line: 1, column: 1 }],
    },
    {
      name: 'global aliases',
      code: '[ __currentSystem (__getEnv "X") __nixPath (__storePath /nix/store/abc-x) ]',
      errors: [
        { messageId: 'impure', line: 1, column: 3, message: '`__currentSystem`' },
        { messageId: 'impure', line: 1, column: 20 },
        { messageId: 'impure', line: 1, column: 34 },
        { messageId: 'impure', line: 1, column: 45 },
      ],
    },
    {
      name: 'under with builtins',
      code: 'with builtins; { h = getEnv "HOME"; s = currentSystem; }',
      errors: [
        { messageId: 'impure', line: 1, column: 22, message: '`builtins.getEnv`' },
        { messageId: 'impure', line: 1, column: 41 },
      ],
    },
    {
      name: 'inherit (builtins)',
      code: 'let inherit (builtins) getEnv currentSystem toString; in getEnv "X"',
      errors: [
        { messageId: 'impure', line: 1, column: 24 },
        { messageId: 'impure', line: 1, column: 31 },
      ],
    },
  ],
});

it('impure-builtin: pure evaluation in real Nix breaks them or silently changes them', () => {
  expect(pureEval('builtins.currentSystem')).toMatch(/attribute 'currentSystem' missing/);
  expect(pureEval('builtins.currentTime')).toMatch(/attribute 'currentTime' missing/);
  expect(pureEval('builtins.storePath /nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x')).toMatch(
    /not allowed in pure/,
  );
  // No error at all: the variable is just empty, which is worse.
  expect(pureEval('builtins.getEnv "HOME" == ""')).toBe('ok');
  expect(pureEval('builtins.toString 1')).toBe('ok');
});
