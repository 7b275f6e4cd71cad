// Evaluation of the new host during onboarding, with real Nix, offline, on a fixture fleet whose
// flake needs no nixpkgs (a host's toplevel is a plain derivation that reads the host file).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetRepo, NIX_OFFLINE, payloadFor } from '../helpers/onboard-fleet.js';
import { buildCli } from '../helpers/run-cli.js';
import { runCliAsync } from '../helpers/run-cli-async.js';

const FLAKE = `{
  description = "fixture fleet: hosts from nix/hosts, no nixpkgs";
  outputs =
    { self }:
    let
      files = builtins.attrNames (builtins.readDir ./nix/hosts);
      hostNames = map (f: builtins.substring 0 (builtins.stringLength f - 4) f) files;
      mkHost =
        name:
        let
          host = import (./nix/hosts + "/\${name}.nix");
          hardware = import (./nix/hardware + "/\${name}-hw.nix");
        in
        {
          config.system.build.toplevel =
            if host.tappaas.roles ? broken then
              throw "role broken cannot be built"
            else
              derivation {
                inherit name;
                system = "x86_64-linux";
                builder = "/bin/sh";
                args = [
                  "-c"
                  "echo \${builtins.toJSON host} \${if builtins.isFunction hardware then "hw" else ""} > $out"
                ];
              };
        };
    in
    {
      nixosConfigurations = builtins.listToAttrs (
        map (name: {
          inherit name;
          value = mkHost name;
        }) hostNames
      );
    };
}
`;

const FILES = {
  'flake.nix': FLAKE,
  'nix/hosts/base1.nix': '{\n  tappaas.roles.vllm.enable = true;\n}\n',
  'nix/hardware/base1-hw.nix': '{ ... }:\n{\n  boot.kernelModules = [ ];\n}\n',
  'nix/modules/roles/vllm.nix': '{ ... }:\n{\n}\n',
  'nix/modules/roles/broken.nix': '{ ... }:\n{\n}\n',
};

beforeAll(() => buildCli(), 180_000);

describe('tappaas register process: evaluation of the new host', () => {
  let repo: FleetRepo;
  beforeAll(() => {
    repo = new FleetRepo(FILES);
  });
  afterAll(() => repo.cleanup());
  const env = { NIX_CONFIG: NIX_OFFLINE };

  it('evaluates the new host with real Nix (a flake that needs no nixpkgs)', async () => {
    repo.registerHost('eval1');
    const r = await runCliAsync(['register', 'process', 'registration/eval1', '--json'], {
      cwd: repo.work,
      env,
      timeoutMs: 240_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.evaluation).toMatchObject({ status: 'ok' });
    expect(report.evaluation.drvPath).toMatch(/^\/nix\/store\/[a-z0-9]{32}-eval1\.drv$/);
    // A repository without tappaas.json gets one with the inventory entry.
    expect(repo.at(report.commit, 'tappaas.json')).toBe(
      '{\n  "$schema": "./schemas/tappaas.schema.json",\n  "hosts": {\n    "eval1": {\n      "address": "10.0.0.51",\n      "role": "vllm",\n      "tags": ["vllm"]\n    }\n  }\n}\n',
    );
    const text = await runCliAsync(['register', 'process', 'registration/eval1'], { cwd: repo.work, env });
    expect(text.stdout).toMatch(/evaluation: eval1 evaluates \(\/nix\/store\/.*-eval1\.drv\)/);
  }, 300_000);

  it('a host that does not evaluate fails the job and nothing is published', async () => {
    repo.registerHost('bad1', payloadFor('bad1', { role: 'broken' }));
    const refs = repo.git(['for-each-ref', '--format=%(refname) %(objectname)']);
    const summary = join(repo.root, 'summary.md');
    const r = await runCliAsync(['register', 'process', 'registration/bad1'], {
      cwd: repo.work,
      env: { ...env, GITHUB_STEP_SUMMARY: summary },
      timeoutMs: 240_000,
    });
    expect(r.code).toBe(1);
    const written = readFileSync(summary, 'utf8');
    expect(written).toMatch(/^### tappaas register process: bad1\n/);
    expect(written).toMatch(/- evaluation failed: .*role broken cannot be built/);
    expect(written).toMatch(/\*\*Failed, nothing pushed:\*\* bad1 does not evaluate\n$/);
    expect(r.stdout).toMatch(/evaluation failed: .*role broken cannot be built/);
    expect(r.stdout).toMatch(/FAILED, nothing pushed:\n {2}- bad1 does not evaluate/);
    expect(repo.git(['for-each-ref', '--format=%(refname) %(objectname)'])).toBe(refs);
  }, 300_000);
});
