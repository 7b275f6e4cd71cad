import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/unpinned-fetch.js';
import { ruleTester } from '../../../helpers/rule-tester.js';
import { pureEval } from './util/nix-parse.js';

const SHA = '0000000000000000000000000000000000000000000000000000';
const REV = '0123456789abcdef0123456789abcdef01234567';

ruleTester('unpinned-fetch', rule, {
  valid: [
    `builtins.fetchTarball { url = "https://example.org/a.tar.gz"; sha256 = "${SHA}"; }`,
    `fetchTarball { url = "https://example.org/a.tar.gz"; sha256 = "${SHA}"; }`,
    `builtins.fetchurl { url = "https://example.org/a"; sha256 = "${SHA}"; }`,
    `builtins.fetchGit { url = "https://example.org/r.git"; rev = "${REV}"; }`,
    `fetchGit { url = "https://example.org/r.git"; ref = "main"; rev = "${REV}"; }`,
    `builtins.fetchTree { type = "github"; owner = "o"; repo = "r"; rev = "${REV}"; }`,
    `builtins.fetchTree "github:NixOS/nixpkgs/${REV}"`,
    'builtins.fetchTree { type = "tarball"; url = "https://example.org/a.tar.gz"; narHash = "sha256-AAAA"; }',
    {
      name: 'pin inherited from the scope',
      code: '{ url, sha256 }: builtins.fetchTarball { inherit url sha256; }',
    },
    { name: 'argument not visible here', code: 'src: builtins.fetchTarball src' },
    { name: 'computed key might be the pin', code: `k: builtins.fetchTarball { url = "u"; \${k} = "h"; }` },
    {
      name: 'nixpkgs fetchurl checks its own hash',
      code: '{ fetchurl }: fetchurl { url = "https://example.org/a"; }',
    },
    { name: 'fetchurl under with pkgs', code: 'with pkgs; fetchurl { url = "https://example.org/a"; }' },
    {
      name: 'a local fetchTarball',
      code: 'let fetchTarball = x: x; in fetchTarball "https://example.org/a.tar.gz"',
    },
    { name: 'not applied', code: '{ f = builtins.fetchGit; }' },
  ],
  invalid: [
    {
      code: 'import (fetchTarball "https://github.com/NixOS/nixpkgs/archive/nixos-24.11.tar.gz") { }',
      errors: [{ messageId: 'bareUrl', line: 1, column: 9, endColumn: 21, message: 'sha256 = ' }],
    },
    {
      code: '{\n  src = builtins.fetchTarball {\n    url = "https://example.org/a.tar.gz";\n  };\n}',
      errors: [{ messageId: 'missingPin', line: 2, column: 9, message: '`sha256` or `hash`' }],
    },
    {
      code: 'builtins.fetchGit { url = "https://example.org/r.git"; ref = "main"; }',
      errors: [{ messageId: 'missingPin', line: 1, column: 1, message: 'rev = "<40-hex commit>"' }],
    },
    {
      code: 'fetchGit "https://example.org/r.git"',
      errors: [{ messageId: 'bareUrl', line: 1, column: 1 }],
    },
    {
      code: 'builtins.fetchurl https://example.org/a',
      errors: [{ messageId: 'bareUrl', line: 1, column: 1 }],
    },
    {
      name: 'fetchTree of a branch',
      code: '[ (builtins.fetchTree "github:NixOS/nixpkgs/nixos-24.11") (fetchTree { type = "git"; url = "u"; }) ]',
      errors: [
        { messageId: 'bareUrl', line: 1, column: 4 },
        { messageId: 'missingPin', line: 1, column: 60 },
      ],
    },
    {
      name: 'under with builtins, and the global alias',
      code: 'with builtins; [ (fetchurl "https://example.org/a") (__fetchTarball { url = "u"; }) ]',
      errors: [
        { messageId: 'bareUrl', line: 1, column: 19 },
        { messageId: 'missingPin', line: 1, column: 54 },
      ],
    },
  ],
});

it('unpinned-fetch: real Nix refuses the flagged forms in pure evaluation (before any download)', () => {
  expect(pureEval('builtins.fetchTarball "https://example.invalid/a.tar.gz"')).toMatch(
    /requires a 'sha256' argument/,
  );
  expect(pureEval('builtins.fetchurl "https://example.invalid/a"')).toMatch(/requires a 'sha256' argument/);
  expect(pureEval('builtins.fetchGit { url = "https://example.invalid/r.git"; }')).toMatch(
    /requires a locked input/,
  );
});
