// False positives matter as much as findings: an idiomatic fleet (test/fixtures/idiomatic,
// see its README for what each file comes close to) gives no finding with every rule on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RuleSetting } from '../../../scripts/config/types.js';
import { lintSource } from '../../../scripts/lint/engine.js';
import { NIXOS_RULE_IDS, rules } from '../../../scripts/lint/rules/index.js';
import { lintPaths } from '../../../scripts/lint/run.js';

const dir = join(import.meta.dirname, '../../fixtures/idiomatic');

describe('the idiomatic fleet', () => {
  it('gives no finding with every rule on', async () => {
    // Every rule at its default level or above: none is off.
    const all: Record<string, RuleSetting> = {};
    for (const [id, rule] of Object.entries(rules))
      all[id] = rule.meta.defaultLevel === 'off' ? 'info' : rule.meta.defaultLevel;
    const result = await lintPaths([dir], {
      cwd: dir,
      root: dir,
      // No options index here (the integration test adds one): false keeps a stray cache out.
      config: { lint: { rules: all, optionsIndex: false } },
      cache: false,
      threads: 1,
    });
    expect(result.files).toBe(10);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}: ${d.message}`)).toEqual(
      [],
    );
  });
  // Proof that the set is near each trigger: one small edit makes each NixOS rule fire.
  const edits: [rule: string, file: string, from: string | RegExp, to: string][] = [
    ['gpu-driver', 'nix/modules/roles/vllm.nix', '    services.xserver.videoDrivers = [ "nvidia" ];\n', ''],
    ['gpu-driver', 'nix/modules/roles/vllm.nix', '      cudaSupport = true;\n', ''],
    [
      'imports-config',
      'nix/modules/roles/default.nix',
      /\{ lib, \.\.\. \}:([\s\S]*)lib\.optional experimental/,
      '{ config, lib, ... }:$1lib.optional config.tappaas.experimental',
    ],
    ['renamed-option', 'nix/modules/roles/vllm.nix', 'hardware.graphics = {', 'hardware.opengl = {'],
    [
      'renamed-option',
      'nix/common.nix',
      'PermitRootLogin = "no";',
      '};\n    permitRootLogin = "no";\n    settings = {',
    ],
    ['service-admin-user', 'nix/modules/roles/litellm.nix', 'User = "litellm";', 'User = "tappaas";'],
    ['state-version', 'nix/common.nix', '  system.stateVersion = "25.05";\n', ''],
    [
      'systemd-exec-command',
      'nix/modules/roles/litellm.nix',
      `--config \${settings} \\`,
      `--config \${settings}`,
    ],
    [
      'systemd-exec-command',
      'nix/modules/backup.nix',
      `ExecStart = "\${pkgs.findutils}/bin/find`,
      `ExecStart = "\${pkgs.coreutils}/bin/true && \${pkgs.findutils}/bin/find`,
    ],
    ['unknown-option-namespace', 'nix/common.nix', 'services.xserver.xkb.layout', 'xkb.layout'],
  ];
  for (const [rule, file, from, to] of edits) {
    it(`one edit away from ${rule} (${file})`, async () => {
      const source = readFileSync(join(dir, file), 'utf8');
      const edited = source.replace(from, to);
      expect(edited).not.toBe(source);
      expect(await rulesFound(file, source)).toEqual([]);
      expect(await rulesFound(file, edited)).toContain(rule);
    });
  }
});

async function rulesFound(file: string, source: string): Promise<string[]> {
  const found = await lintSource(file, source, { rules: pick(NIXOS_RULE_IDS) });
  return found.map((d) => d.rule);
}

function pick(ids: readonly string[]) {
  return Object.fromEntries(ids.map((id) => [id, rules[id]!]));
}
