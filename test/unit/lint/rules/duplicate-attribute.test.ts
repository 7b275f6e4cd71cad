// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/duplicate-attribute.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

ruleTester('duplicate-attribute', rule, {
  valid: [
    '{ a = 1; b = 2; }',
    { name: 'paths build one set', code: '{ a.b = 1; a.c = 2; }' },
    { name: 'path extends a literal', code: '{ a = { b = 1; }; a.c = 2; }' },
    { name: 'literal after a path', code: '{ a.c = 2; a = { b = 1; }; }' },
    { name: 'two literals with different keys merge', code: '{ a = { b = 1; }; a = { c = 2; }; }' },
    { name: 'parenthesized literal merges', code: '{ a = ({ b = 1; }); a.c = 2; }' },
    { name: 'deep path into nested literal', code: '{ a = { b.c = 1; }; a.b.d = 2; }' },
    { name: 'dynamic keys are not checked', code: '{ ${x} = 1; ${x} = 2; a.${y}.b = 1; a.${y}.b = 2; }' },
    { name: 'let merges like attrsets', code: 'let a.b = 1; a.c = 2; in a' },
    { name: 'shadowing is not duplication', code: 'let a = 1; in let a = 2; in { inherit a; b = a; }' },
    { name: 'string key with a dot is one segment', code: '{ "a.b" = 1; a.b = 2; }' },
    { name: 'rec set extended by a path keeps rec', code: '{ a = rec { b = 1; c = b; }; a.d = 2; }' },
    // Keys are compared by the value Nix gives them (checked below with nix-instantiate).
    { name: 'an escaped interpolation is not `$${`', code: '{ "a\\${b}" = 1; "a$${b}" = 2; }' },
    {
      name: 'escaped-dollar keys of a nested literal and a path',
      code: '{ a = { "b\\${c}" = 1; }; a."b$${c}" = 2; }',
    },
    { name: 'one backslash and two', code: '{ "a\\\\" = 1; "a\\\\\\\\" = 2; }' },
    { name: 'keys with interpolations are never compared', code: 'x: { "a${x}" = 1; "a${x}" = 2; }' },
    {
      name: 'an indented string of several tokens is a dynamic key',
      code: "{ ${''a''$''} = 1; \"a$\" = 2; }",
    },
    {
      name: 'virtual hosts shaped like a fleet file',
      code: '{\n  services.nginx.virtualHosts."example.org".root = "/srv";\n  services.nginx.virtualHosts."example.org".locations."/api".proxyPass = "http://127.0.0.1:8080";\n  services.nginx.virtualHosts."example.org:8443" = { root = "/srv/alt"; };\n  environment.etc."ssh/ssh_known_hosts".text = "";\n  environment.etc."ssh/ssh_config".text = "";\n}',
    },
    { name: 'formals', code: '{ a, b ? a, ... }@args: a' },
    {
      name: 'module spellings of different options',
      code: '{ config, lib, ... }: {\n  services.nginx.enable = true;\n  services.nginx.virtualHosts = { };\n  services = { openssh.enable = true; };\n}',
    },
  ],
  invalid: [
    {
      name: 'same key twice',
      code: '{\n  a = 1;\n  a = 2;\n}',
      errors: [{ messageId: 'duplicate', line: 3, column: 3, endColumn: 4, message: 'on line 2' }],
    },
    {
      name: 'path then literal with the same key',
      code: '{\n  a.b = 1;\n  a = { b = 2; };\n}',
      errors: [{ messageId: 'duplicate', line: 3, column: 9, message: '`a.b` is already defined on line 2' }],
    },
    {
      name: 'literal then path',
      code: '{ a = { b = 1; }; a.b = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 19, endColumn: 22, message: '`a.b`' }],
    },
    {
      name: 'two literals with the same key',
      code: '{ a = { b = 1; }; a = { b = 2; }; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 25, message: '`a.b`' }],
    },
    {
      name: 'literal merge is not recursive',
      code: '{ a = { b.c = 1; }; a = { b.d = 2; }; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 27, message: '`a.b`' }],
    },
    {
      name: 'path into a value that is not a literal',
      code: '{\n  a = 1;\n  a.c = 2;\n}',
      errors: [{ messageId: 'notASet', line: 3, column: 3, message: 'line 2' }],
    },
    {
      name: 'path into a let expression',
      code: '{ a = let x = 1; in { b = x; }; a.c = 2; }',
      errors: [{ messageId: 'notASet', line: 1, column: 33 }],
    },
    {
      name: 'value after a path',
      code: '{ a.c = 2; a = 1; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 12 }],
    },
    {
      name: 'inherit and a binding',
      code: 'let a = 2; in {\n  inherit a;\n  a = 1;\n}',
      errors: [{ messageId: 'duplicate', line: 3, column: 3, message: 'line 2' }],
    },
    {
      name: 'binding and inherit',
      code: 'let b = 2; in { b = 1; inherit b; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 32 }],
    },
    {
      name: 'inherit twice in one statement',
      code: 'let b = 1; in { inherit b b; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 27 }],
    },
    {
      name: 'path into an inherited attribute',
      code: '{ inherit ({ a = 1; }) a; a.b = 2; }',
      errors: [{ messageId: 'notASet', line: 1, column: 27 }],
    },
    {
      name: 'quoted and bare',
      code: '{ "a" = 1; a = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 12 }],
    },
    {
      name: 'constant interpolation is a static key',
      code: '{ ${"a"} = 1; a = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 15 }],
    },
    {
      name: 'escaped string equals bare name',
      code: '{ "a\\x" = 1; ax = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 14 }],
    },
    {
      name: '`\\${` and `$\\{` both spell `${`',
      code: '{ "\\${x}" = 1; "$\\{x}" = 2; }',
      errors: [
        { messageId: 'duplicate', line: 1, column: 16, message: '`"\\${x}"` is already defined on line 1' },
      ],
    },
    {
      name: 'CR LF in a key is LF',
      code: '{ "a\r\nb" = 1; "a\\nb" = 2; }',
      errors: [{ messageId: 'duplicate', line: 2, column: 9 }],
    },
    {
      name: 'escaped and raw tab',
      code: '{ "a\\tb" = 1; "a\tb" = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 15 }],
    },
    {
      name: 'an indented string over lines names its stripped value',
      code: "{\n  ${''\n    a\n  ''} = 1;\n  \"a\\n\" = 2;\n}",
      errors: [{ messageId: 'duplicate', line: 5, column: 3, message: '`"a\\n"`' }],
    },
    {
      name: 'escaped and plain dollar',
      code: '{ "a\\$" = 1; "a$" = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 14 }],
    },
    {
      name: 'a keyword as a quoted key',
      code: '{ "if" = 1; "if" = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 13, message: '`"if"`' }],
    },
    {
      name: 'a quoted inherit and a binding',
      code: 'let a = 1; in { inherit "a"; a = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 30 }],
    },
    {
      name: 'escaped-dollar keys of a nested literal and the same path',
      code: '{ a = { "b\\${c}" = 1; }; a."b\\${c}" = 2; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 26, message: '`a."b\\${c}"`' }],
    },
    {
      name: 'let binding twice',
      code: 'let\n  x = 1;\n  x = 2;\nin x',
      errors: [{ messageId: 'duplicate', line: 3, column: 3 }],
    },
    {
      name: 'rec set and inherit from',
      code: 'rec { a = 1; inherit ({ a = 1; }) a; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 35 }],
    },
    {
      name: 'nested set reports once, with its own path',
      code: '{ x = { a = 1; a = 2; }; }',
      errors: [{ messageId: 'duplicate', line: 1, column: 16, message: '`a`' }],
    },
    {
      name: 'module: same option in dotted and nested spelling',
      code: '{ config, ... }: {\n  config.services.openssh.enable = true;\n  config = { services.openssh.enable = false; };\n}',
      errors: [{ messageId: 'duplicate', line: 3, column: 14, message: '`config.services`' }],
    },
    {
      name: 'rec merged into a path-made set',
      code: '{ a.c = 2; a = rec { b = 1; }; }',
      errors: [{ messageId: 'recMerge', line: 1, column: 12 }],
    },
    {
      name: 'duplicate formal',
      code: '{ a, b, a }: a',
      errors: [{ messageId: 'duplicateArgument', line: 1, column: 9 }],
    },
    {
      name: 'pattern name equal to a formal',
      code: 'a@{ a }: a',
      errors: [{ messageId: 'duplicateArgument', line: 1, column: 5 }],
    },
    {
      name: 'opt-in report of merged literals',
      code: '{ a = { b = 1; }; a = { c = 2; }; }',
      options: { reportMerges: true },
      errors: [{ messageId: 'merged', line: 1, column: 19 }],
    },
  ],
});

// The rule claims to follow Nix exactly: whatever it reports as an error, real Nix must
// refuse to parse, and whatever it accepts, Nix must parse (Nix is a test prerequisite).

const CROSS_CHECK = [
  '{ a.b = 1; a.c = 2; }',
  '{ a = { b = 1; }; a.c = 2; }',
  '{ a.c = 2; a = { b = 1; }; }',
  '{ a = { b = 1; }; a = { c = 2; }; }',
  '{ a = { b = 1; }; a = { b = 2; }; }',
  '{ a = { b.c = 1; }; a = { b.d = 2; }; }',
  '{ a = { b.c = 1; }; a.b.d = 2; }',
  '{ a = { b = { c = 1; }; }; a = { b.d = 2; }; }',
  '{ a.b = 1; a = { b = 2; }; }',
  '{ a = 1; a.c = 2; }',
  '{ a.c = 2; a = 1; }',
  '{ a = ({ b = 1; }); a.c = 2; }',
  'let x = { b = 1; }; in { a = x; a.c = 2; }',
  '{ a = let x = 1; in { b = x; }; a.c = 2; }',
  'let a = 2; in { inherit a; a = 1; }',
  'let b = 1; in { inherit b b; }',
  '{ inherit ({ a = 1; }) a; a.b = 2; }',
  '{ a.b = 1; inherit ({ a = 1; }) a; }',
  '{ "a" = 1; a = 2; }',
  '{ ${"a"} = 1; a = 2; }',
  '{ a = { ${"b"} = 1; }; a.b = 2; }',
  '{ a.${"b"} = 1; a.b = 2; }',
  '{ "a.b" = 1; a.b = 2; }',
  'let a = { b = 1; }; a = { c = 2; }; in a',
  'let a = 1; a = 2; in a',
  'let a = 1; inherit ({ a = 1; }) a; in a',
  'rec { a = 1; inherit ({ a = 1; }) a; }',
  'let b = 1; in { x = { inherit b; }; x.b = 2; }',
  '{ a, b, a }: a',
  'a@{ a }: a',
  '{ a ? 1, b ? a, ... }@c: c',
  // Keys as Nix decodes them.
  '{ "a\\${b}" = 1; "a$${b}" = 2; }',
  '{ "\\${x}" = 1; "$\\{x}" = 2; }',
  '{ "a$$" = 1; "a\\$\\$" = 2; }',
  '{ "a$" = 1; "a\\$" = 2; }',
  '{ "a\\n" = 1; "a\n" = 2; }',
  '{ "a\r\nb" = 1; "a\\nb" = 2; }',
  '{ "a\rb" = 1; "a\\rb" = 2; }',
  '{ "a\\rb" = 1; "a\\nb" = 2; }',
  '{ "a\\tb" = 1; "a\tb" = 2; }',
  '{ "a\\qb" = 1; aqb = 2; }',
  '{ "a\\\\" = 1; "a\\\\\\\\" = 2; }',
  '{ "ünï" = 1; "\\ünï" = 2; }',
  '{ "" = 1; ${""} = 2; }',
  "{ ${''''} = 1; \"\" = 2; }",
  "{ ${''a''} = 1; a = 2; }",
  "{ ${''\n  a\n''} = 1; \"a\\n\" = 2; }",
  "{ ${''\n  a\n''} = 1; \"a\" = 2; }",
  "{ ${''a''$''} = 1; \"a$\" = 2; }",
  '{ ${("a")} = 1; a = 2; }',
  'x: { "a${x}" = 1; "a${x}" = 2; }',
  'x: { "${"a"}" = 1; a = 2; }',
  'let a = 1; in { inherit "a"; a = 2; }',
  'let a = 1; in { inherit ${"a"}; a = 2; }',
  '{ a = { "b\\${c}" = 1; }; a."b$${c}" = 2; }',
  '{ a = { "b\\${c}" = 1; }; a."b\\${c}" = 2; }',
  '{ a."b.c" = 1; a.b.c = 2; }',
  '{ a."b" = 1; a.b.c = 2; }',
];

describe('duplicate-attribute agrees with nix-instantiate --parse', () => {
  for (const code of CROSS_CHECK) {
    it(code, async () => {
      let nixAccepts = true;
      try {
        execFileSync('nix-instantiate', ['--parse', '-E', code], { stdio: 'ignore' });
      } catch {
        nixAccepts = false;
      }
      const found = await lintWithRule('duplicate-attribute', rule, code);
      expect(found.length === 0).toBe(nixAccepts);
    });
  }
});
