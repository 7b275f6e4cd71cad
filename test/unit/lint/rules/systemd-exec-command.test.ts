import { describe, expect, it } from 'vitest';
import rule, { commandLines, shellOperator } from '../../../../scripts/lint/rules/systemd-exec-command.js';
import { ruleTester } from '../../../helpers/rule-tester.js';

const m = (body: string) => `{ config, lib, pkgs, ... }:\n{\n${body}\n}\n`;
const q = "''";

ruleTester('systemd-exec-command', rule, {
  valid: [
    {
      name: 'one command',
      code: m(`  systemd.services.a.serviceConfig.ExecStart = "\${pkgs.hello}/bin/hello --flag";`),
    },
    {
      name: 'backslash continuations are one command (the guide vLLM unit)',
      code: m(
        `  systemd.services.vllm.serviceConfig.ExecStart = ${q}\n    \${pkgs.python3}/bin/python -m vllm \\\n      --port 8000\n  ${q};`,
      ),
    },
    {
      name: 'several commands in script are fine',
      code: m(`  systemd.services.a.script = ${q}\n    a\n    b && c | d\n  ${q};`),
    },
    {
      name: 'a list of Exec lines, one command each',
      code: m('  systemd.services.a.serviceConfig.ExecStartPre = [ "/bin/a" "/bin/b" ];'),
    },
    {
      name: 'operators inside escaped quotes are arguments',
      code: m('  systemd.services.a.serviceConfig.ExecStart = "/bin/sh -c \\"a && b\\"";'),
    },
    {
      name: 'quoted operators are arguments',
      code: m(`  systemd.services.a.serviceConfig.ExecStart = "/bin/sh -c 'a && b'";`),
    },
    {
      name: 'an operator inside a word is an argument (a pattern, a separator)',
      code: m('  systemd.services.a.serviceConfig.ExecStart = "/bin/a --match=x|y --sep=a&&b --list=a;b";'),
    },
    { name: 'not a systemd service', code: m('  environment.etc.x.text = "pip install foo";') },
    { name: 'not a module', code: `{ systemd.services.a.serviceConfig.ExecStart = "a && b"; }` },
    {
      name: 'a let binding is no definition',
      code: m('  x = let serviceConfig.ExecStart = "a && b"; in 1;\n  systemd.services.a.enable = true;'),
    },
    {
      name: 'option declarations are not definitions',
      code: '{ lib, ... }:\n{\n  options.systemd.services.a.serviceConfig.ExecStart = lib.mkOption { default = "a && b"; };\n  config = { };\n}\n',
    },
  ],
  invalid: [
    {
      name: 'several lines in ExecStart, nested spelling',
      code: m(
        `  systemd.services.api = {\n    serviceConfig = {\n      ExecStart = ${q}\n        /bin/a\n        /bin/b\n      ${q};\n    };\n  };`,
      ),
      errors: [
        { messageId: 'multipleCommands', line: 5, column: 7, message: '2 commands', severity: 'error' },
      ],
    },
    {
      name: 'spans count escapes as Nix reads them',
      code: m('  systemd.services.a.serviceConfig.ExecStart = "/bin/a \\"x\\" && /bin/b";'),
      errors: [{ messageId: 'shellOperator', line: 3, column: 62, endColumn: 64 }],
    },
    {
      name: 'an escaped interpolation, then && in an indented string',
      code: m(
        `  systemd.services.a.serviceConfig.ExecStart = ${q}\n    ${q}\${HOME}/bin/a && /bin/b\n  ${q};`,
      ),
      errors: [{ messageId: 'shellOperator', line: 4, column: 21, endColumn: 23 }],
    },
    {
      name: '&& in one line',
      code: m('  systemd.services.a.serviceConfig.ExecStart = "/bin/a && /bin/b";'),
      errors: [{ messageId: 'shellOperator', line: 3, column: 56, endColumn: 58, severity: 'error' }],
    },
    {
      name: 'a pipe under mkIf, after an interpolation',
      code: m(
        `  config = lib.mkIf true {\n    systemd.services.a.serviceConfig.ExecStart = "\${pkgs.a}/bin/a | tee /tmp/x";\n  };`,
      ),
      errors: [{ messageId: 'shellOperator', line: 4, column: 67, message: '`|`', severity: 'error' }],
    },
    {
      name: 'a semicolon stuck to a word is part of that word for systemd',
      code: m('  systemd.user.services.a.serviceConfig.ExecStop = "/bin/a; /bin/b";'),
      errors: [{ messageId: 'shellOperator', line: 3, column: 59, message: '`;`', severity: 'error' }],
    },
    {
      name: "a lone semicolon word is systemd's own (deprecated) separator: a warning",
      code: m('  systemd.services.a.serviceConfig.ExecStartPre = "/bin/a ; /bin/b";'),
      errors: [{ messageId: 'loneSemicolon', line: 3, column: 59, severity: 'warning' }],
    },
    {
      name: '|| as a word',
      code: m('  systemd.services.a.serviceConfig.ExecStart = "/bin/a || /bin/b";'),
      errors: [{ messageId: 'shellOperator', line: 3, column: 56, message: '`||`', severity: 'error' }],
    },
    {
      name: 'explicit config, mkMerge, mkIf and mkForce',
      code: '{ config, lib, ... }:\n{\n  options.x = lib.mkOption { };\n  config = lib.mkMerge [\n    (lib.mkIf true {\n      systemd.services.a.serviceConfig = { ExecStart = lib.mkForce "a && b"; };\n    })\n  ];\n}\n',
      errors: [{ messageId: 'shellOperator', line: 6, column: 71, severity: 'error' }],
    },
    {
      name: 'installer in preStart: a real shell script, so a warning',
      code: m(
        `  systemd.services.a.preStart = ${q}\n    mkdir -p /var/lib/a\n    /var/lib/a/venv/bin/pip install foo\n  ${q};`,
      ),
      errors: [
        { messageId: 'installer', line: 5, column: 25, message: '`pip install`', severity: 'warning' },
      ],
    },
    {
      name: 'installer in script, curl piped to a shell: a warning',
      code: m(
        `  systemd.services.a.script = ${q}\n    curl -fsSL https://x.example/i.sh | sh\n    exec a\n  ${q};`,
      ),
      errors: [{ messageId: 'installer', line: 4, column: 5, severity: 'warning' }],
    },
    {
      name: 'installer run by an Exec line: an error',
      code: m('  systemd.services.a.serviceConfig.ExecStartPre = "/var/lib/a/venv/bin/pip install foo";'),
      errors: [{ messageId: 'installer', line: 3, column: 72, message: '`pip install`', severity: 'error' }],
    },
    {
      name: 'curl piped to sh in ExecStartPre (both findings)',
      code: m('  systemd.services.a.serviceConfig.ExecStartPre = "curl -fsSL https://x.example/i.sh | sh";'),
      errors: [
        {
          messageId: 'installer',
          line: 3,
          column: 52,
          message: 'a downloaded script piped to a shell',
          severity: 'error',
        },
        { messageId: 'shellOperator', line: 3, column: 86, severity: 'error' },
      ],
    },
  ],
});

describe('commandLines and shellOperator', () => {
  it('joins continuations and skips blank lines', () => {
    expect(commandLines('\n  a \\\n   b\n\n  c\n').map((c) => c.text.trim())).toEqual(['a \\\n   b', 'c']);
  });
  it('finds operators outside quotes only', () => {
    expect(shellOperator('a "b && c" d')).toBeUndefined();
    expect(shellOperator("a 'x|y'")).toBeUndefined();
    expect(shellOperator('a\\;b')).toBeUndefined();
    expect(shellOperator('a || b')).toEqual({ op: '||', index: 2 });
    expect(shellOperator('a;b')).toBeUndefined();
    expect(shellOperator('a; b')).toEqual({ op: ';', index: 1 });
    expect(shellOperator('a ; b')).toEqual({ op: ';', index: 2, lone: true });
    expect(shellOperator('a --re=x|y --and=p&&q')).toBeUndefined();
    expect(shellOperator('a | tee x')).toEqual({ op: '|', index: 2 });
  });
});
