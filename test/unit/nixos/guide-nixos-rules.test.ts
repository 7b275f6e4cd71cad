// The guide's snippets and the bundled fleet (nix/) through the whole engine, for the NixOS
// rules gpu-driver, service-admin-user, state-version and unknown-option-namespace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../scripts/config/file.js';
import { lintSource } from '../../../scripts/lint/engine.js';
import { lintPaths } from '../../../scripts/lint/run.js';

const RULES = ['gpu-driver', 'service-admin-user', 'state-version', 'unknown-option-namespace'];
const dir = join(import.meta.dirname, '../../fixtures/guide');
const lint = async (name: string) => {
  const diagnostics = await lintSource(`guide/${name}`, readFileSync(join(dir, name), 'utf8'));
  return diagnostics
    .filter((d) => RULES.includes(d.rule))
    .map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}: ${d.message}`);
};

describe('NixOS rules on the guide', () => {
  it('role-vllm.nix', async () => {
    expect(await lint('role-vllm.nix')).toEqual([
      '6:12 warning gpu-driver: `hardware.nvidia` is configured in this module, but `services.xserver.videoDrivers` does not include "nvidia" here: the NVIDIA kernel module is never loaded.',
      '20:3 warning unknown-option-namespace: `graphics` is no NixOS option namespace: unless a module from another flake or file declares it, the host fails to evaluate ("The option `graphics.enable` does not exist"). Did you mean `hardware.graphics`?',
      '27:5 warning gpu-driver: `python312Packages.vllm` is installed in this module without `nixpkgs.config.cudaSupport = true`: CUDA-capable packages are then built without GPU support.',
      "45:14 warning service-admin-user: Service `vllm-api` runs as `tappaas`, the fleet's interactive admin user, so it gets their files, keys and sudo rights.",
    ]);
  });
  it('the way out the help names: a suppression with a reason when the other half is elsewhere', async () => {
    const source = readFileSync(join(dir, 'role-vllm.nix'), 'utf8').replace(
      '  hardware.nvidia = {',
      '  # tappaas-lint-disable-next-line gpu-driver -- videoDrivers is set in hardware/gpu.nix\n  hardware.nvidia = {',
    );
    const found = (await lintSource('guide/role-vllm.nix', source)).filter((d) =>
      ['gpu-driver', 'lint-suppression'].includes(d.rule),
    );
    expect(found.map((d) => `${d.line} ${d.rule}`)).toEqual(['28 gpu-driver']);
  });

  it('the other snippets', async () => {
    for (const name of ['configuration.nix', 'common.nix', 'role-litellm.nix']) {
      expect(await lint(name), name).toEqual([]);
    }
  });
});

describe('the bundled fleet (nix/)', () => {
  it('lints with zero errors and zero warnings, every rule on', async () => {
    const repo = join(import.meta.dirname, '../../..');
    const { config } = loadConfig(repo);
    const result = await lintPaths(['nix'], { cwd: repo, root: repo, config, cache: false, threads: 1 });
    expect(result.files).toBeGreaterThanOrEqual(9);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}: ${d.message}`)).toEqual(
      [],
    );
  });

  it('the common module is recognised: without its stateVersion it is a warning (NixOS only warns)', async () => {
    const repo = join(import.meta.dirname, '../../..');
    const source = readFileSync(join(repo, 'nix/common.nix'), 'utf8').replace(
      /system\.stateVersion = "[^"]*";/,
      '',
    );
    const found = (await lintSource('nix/common.nix', source)).filter((d) => d.rule === 'state-version');
    expect(found.map((d) => `${d.line}:${d.column} ${d.severity}`)).toEqual(['6:1 warning']);
  });
});
