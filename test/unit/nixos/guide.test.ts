// The guide's own snippets (test/fixtures/guide, copied from shared/seed) linted as a user
// would: every rule through lintSource. Here: what renamed-option finds in them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';

const dir = join(import.meta.dirname, '../../fixtures/guide');
const lint = async (name: string, rule = 'renamed-option') => {
  const diagnostics = await lintSource(`guide/${name}`, readFileSync(join(dir, name), 'utf8'));
  return diagnostics.filter((d) => d.rule === rule);
};

describe('renamed-option on the guide', () => {
  it('reports hardware.opengl.enable, driSupport and driSupport32Bit in role-vllm.nix at their lines', async () => {
    const found = await lint('role-vllm.nix');
    expect(
      found.map((d) => ({ line: d.line, column: d.column, severity: d.severity, message: d.message })),
    ).toEqual([
      // Renames evaluate with a warning from NixOS (a warning here, naming the new name, as
      // NixOS does, per leaf); the removal makes NixOS fail (an error).
      {
        line: 15,
        column: 5,
        severity: 'warning',
        message: '`hardware.opengl.enable` was renamed to `hardware.graphics.enable` in NixOS 24.11.',
      },
      {
        line: 16,
        column: 5,
        severity: 'error',
        message: '`hardware.opengl.driSupport` was removed in NixOS 24.11: The setting can be removed.',
      },
      {
        line: 17,
        column: 5,
        severity: 'warning',
        message:
          '`hardware.opengl.driSupport32Bit` was renamed to `hardware.graphics.enable32Bit` in NixOS 24.11.',
      },
    ]);
    expect(found[0]?.help).toContain('Write `hardware.graphics.enable` instead');
    // A removed option sits under the same key, so no rewrite of `hardware.opengl` is offered.
    expect(found.filter((d) => d.fix)).toEqual([]);
  });

  it('finds nothing renamed in the other snippets', async () => {
    for (const name of ['configuration.nix', 'common.nix', 'role-litellm.nix']) {
      expect(await lint(name), name).toEqual([]);
    }
  });
});

describe('systemd-exec-command on the guide', () => {
  it('reports the multi-command ExecStart with pip install in role-litellm.nix', async () => {
    const found = await lint('role-litellm.nix', 'systemd-exec-command');
    expect(
      found.map((d) => ({ line: d.line, column: d.column, severity: d.severity, message: d.message })),
    ).toEqual([
      {
        line: 18,
        column: 7,
        severity: 'error',
        message:
          '`ExecStart` of `litellm-api` holds 4 commands on separate lines, but systemd runs one command per Exec line, without a shell.',
      },
      {
        line: 20,
        column: 35,
        severity: 'error',
        message:
          '`ExecStart` of `litellm-api` runs `pip install` at every start: the host then depends on the network and on the current upstream version, outside Nix.',
      },
    ]);
  });

  it('accepts the vLLM unit, whose lines are one command with continuations', async () => {
    expect(await lint('role-vllm.nix', 'systemd-exec-command')).toEqual([]);
  });
});

describe('imports-config on the guide', () => {
  it('reports the host name in the imports of configuration.nix, at both lines', async () => {
    const found = await lint('configuration.nix', 'imports-config');
    expect(found.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message.split(',')[0]}`)).toEqual([
      '6:18 error `imports` reads `config.networking.hostName`',
      '7:15 error `imports` reads `config.networking.hostName`',
    ]);
  });

  it('finds nothing in the other snippets', async () => {
    for (const name of ['common.nix', 'role-vllm.nix', 'role-litellm.nix']) {
      expect(await lint(name, 'imports-config'), name).toEqual([]);
    }
  });
});
