import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/impure-absolute-path.js';
import { ruleTester } from '../../../helpers/rule-tester.js';
import { pureEval } from './util/nix-parse.js';

ruleTester('impure-absolute-path', rule, {
  valid: [
    '{ imports = [ ./hardware.nix ../common.nix ]; }',
    '{ root = "/var/www"; }',
    { name: 'the root, to build a path', code: '/. + "/srv"' },
    { name: 'a division is not a path', code: 'a / b' },
    { name: 'a computed root', code: `pkgs: import /\${pkgs.path}/nixos/lib { }` },
    { name: 'home paths and lookups are other rules', code: '[ ~/x <nixpkgs> ]' },
  ],
  invalid: [
    {
      code: '{ imports = [ /etc/nixos/hardware-configuration.nix ]; }',
      errors: [
        {
          messageId: 'absolute',
          line: 1,
          column: 15,
          endColumn: 52,
          message: '`/etc/nixos/hardware-configuration.nix`',
        },
      ],
    },
    {
      code: '{\n  root = /var/www;\n  motd = builtins.readFile /etc/motd;\n}',
      errors: [
        { messageId: 'absolute', line: 2, column: 10 },
        { messageId: 'absolute', line: 3, column: 28 },
      ],
    },
    {
      name: 'with an interpolation',
      code: `h: import /etc/nixos/hosts/\${h}.nix`,
      errors: [{ messageId: 'absolute', line: 1, column: 11 }],
    },
  ],
});

it('impure-absolute-path: pure evaluation in real Nix refuses to read one', () => {
  const stderr = pureEval('import /etc/nixos/x.nix');
  expect(stderr).toMatch(/access to absolute path '\/etc\/nixos\/x.nix' is forbidden in pure eval mode/);
});
