// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/unused-binding.js';
import { ruleTester } from '../../../helpers/rule-tester.js';

const cases: Parameters<typeof ruleTester>[2] = {
  valid: [
    'let a = 1; in a',
    { name: 'used by another used binding', code: 'let a = 1; b = a; in b' },
    { name: 'used in a nested scope', code: 'let a = 1; in x: { y = a; }' },
    { name: 'used through plain inherit', code: 'let a = 1; in { inherit a; }' },
    { name: 'used as inherit source', code: 'let src = { a = 1; }; in { inherit (src) a; }' },
    { name: 'inherit in let used', code: 'let inherit (lib) mkIf; in mkIf true { }' },
    { name: 'underscore names are ignored', code: 'let _unused = 1; _ = 2; in 3' },
    { name: 'used in a string interpolation', code: 'let name = "x"; in "hello ${name}"' },
    { name: 'used in an attribute name', code: 'let k = "x"; in { ${k} = 1; }' },
    { name: 'mutual use', code: 'let a = b; b = 1; in a' },
    { name: 'used under with', code: 'let a = 1; in with pkgs; [ a ]' },
    { name: 'rec attributes are not let bindings', code: 'rec { a = 1; b = 2; }' },
    { name: 'old let body', code: 'let { a = 1; body = a; }' },
    { name: 'formal defaults', code: 'let d = 1; in { x ? d }: x' },
  ],
  invalid: [
    {
      name: 'alone on its line',
      code: 'let\n  a = 1;\n  b = 2;\nin\nb',
      errors: [{ messageId: 'unused', line: 2, column: 3, endColumn: 4 }],
      output: 'let\n  b = 2;\nin\nb',
    },
    {
      name: 'with a trailing comment',
      code: 'let\n  a = 1; # old\n  b = 2;\nin b',
      errors: [{ messageId: 'unused', line: 2, column: 3 }],
      output: 'let\n  b = 2;\nin b',
    },
    {
      name: 'inline',
      code: 'let a = 1; b = 2; in b',
      errors: [{ messageId: 'unused', line: 1, column: 5 }],
      output: 'let b = 2; in b',
    },
    {
      name: 'only used by itself',
      code: 'let f = x: f x; in 1',
      errors: [{ messageId: 'unused', line: 1, column: 5 }],
      output: 'let in 1',
    },
    {
      name: 'shadowed before use',
      code: 'let a = 1; in let a = 2; in a',
      errors: [{ messageId: 'unused', line: 1, column: 5 }],
      output: 'let in let a = 2; in a',
    },
    {
      name: 'shadowed by a lambda argument',
      code: 'let a = 1; in a: a',
      errors: [{ messageId: 'unused', line: 1, column: 5 }],
      output: 'let in a: a',
    },
    {
      name: 'plain inherit in let refers outward, so it does not use itself',
      code: 'x: let inherit x; in 1',
      errors: [{ messageId: 'unused', line: 1, column: 16 }],
      output: 'x: let in 1',
    },
    {
      name: 'one of several inherited names',
      code: 'let inherit (lib) mkIf mkDefault; in mkIf true { }',
      errors: [{ messageId: 'unused', line: 1, column: 24 }],
      output: 'let inherit (lib) mkIf; in mkIf true { }',
    },
    {
      name: 'every inherited name',
      code: 'let\n  inherit (lib) a b;\n  c = 1;\nin c',
      errors: [
        { messageId: 'unused', line: 2, column: 17 },
        { messageId: 'unused', line: 2, column: 19 },
      ],
      output: 'let\n  c = 1;\nin c',
    },
    {
      name: 'attrpath binding',
      code: 'let\n  a.b = 1;\nin 2',
      errors: [{ messageId: 'unused', line: 2, column: 3 }],
      output: 'let\nin 2',
    },
    {
      name: 'one name over several statements: no fix',
      code: 'let a.b = 1; a.c = 2; in 3',
      errors: [{ messageId: 'unused', line: 1, column: 5 }],
    },
    {
      name: 'lexical binding wins over with, so `with` does not use it',
      code: 'let a = 1; in with { a = 2; }; b',
      errors: [{ messageId: 'unused', line: 1, column: 5 }],
      output: 'let in with { a = 2; }; b',
    },
    {
      name: 'in a module',
      code: '{ config, ... }:\nlet\n  cfg = config.services.web;\n  port = 8080;\nin {\n  networking.firewall.allowedTCPPorts = [ cfg.port ];\n}',
      errors: [{ messageId: 'unused', line: 4, column: 3, message: '`port`' }],
      output:
        '{ config, ... }:\nlet\n  cfg = config.services.web;\nin {\n  networking.firewall.allowedTCPPorts = [ cfg.port ];\n}',
    },
  ],
};

ruleTester('unused-binding', rule, cases);

// Every fixed output must still be Nix that Nix accepts (inside a `with`, so that the free
// names of the snippets do not count as undefined).
describe('unused-binding fixes parse with nix-instantiate --parse', () => {
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
