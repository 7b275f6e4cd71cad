// `tappaas deploy / status / rollback` end to end through the built CLI: three loopback sshd
// targets with fixture systems (their switch-to-configuration starts a real HTTP service the
// health checks probe), a git fleet repository whose flake builds each host's system, real
// nix build and nix copy. The tests run in order on one fleet: each starts from the state the
// previous one left (stated at its top).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetRepo } from '../helpers/fleet-repo.js';
import { buildCli, CLI } from '../helpers/run-cli.js';
import { SshTargetFleet } from '../helpers/ssh-targets.js';

let fleet: SshTargetFleet;
let repo: FleetRepo;
let v1: string[];
let v1Commit: string;

interface DeployJson {
  commit: string;
  stopped?: string;
  hosts: {
    name: string;
    status: string;
    from?: string;
    to?: string;
    error?: string;
    phase?: string;
    canary?: boolean;
  }[];
}

/** The built CLI, asynchronously (the targets' sshd and services live in this process's children). */
function cli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: repo.dir,
      env: { ...process.env, ...repo.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function deployJson(args: string[]): Promise<{ code: number; out: DeployJson; stderr: string }> {
  const r = await cli(['deploy', '--json', ...args]);
  let out: DeployJson;
  try {
    out = JSON.parse(r.stdout) as DeployJson;
  } catch {
    throw new Error(`deploy ${args.join(' ')} exited ${r.code} without JSON:\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, out, stderr: r.stderr };
}

const statuses = (out: DeployJson) => Object.fromEntries(out.hosts.map((h) => [h.name, h.status]));

beforeAll(async () => {
  buildCli();
  fleet = await SshTargetFleet.start(3, 'vm');
  // A short health grace: the unhealthy fixture never recovers, so waiting 30 s proves nothing.
  repo = new FleetRepo(fleet, () => ({}), { healthGrace: 3 });
  v1 = await repo.setSystems(
    fleet.targets.map((t) => t.system('v1')),
    'v1 everywhere',
  );
  for (const [i, t] of fleet.targets.entries()) t.install(v1[i]!);
}, 300_000);

afterAll(async () => {
  await fleet?.cleanup();
});

describe('tappaas deploy on three loopback targets', () => {
  it('refuses bad flags and unknown hosts as usage errors (exit 2)', async () => {
    const mode = await cli(['deploy', '--mode', 'dry-activate']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('--mode must be one of switch, boot, test');
    const host = await cli(['deploy', '../vm0']);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain('not in tappaas.json "hosts": ../vm0');
    expect((await cli(['rollback'])).code).toBe(2);
  });

  it('reports every host unchanged when each already runs what the flake builds', async () => {
    const { code, out } = await deployJson([]);
    expect(code).toBe(0);
    expect(statuses(out)).toEqual({ vm0: 'unchanged', vm1: 'unchanged', vm2: 'unchanged' });
    expect(out.hosts[0]!.from).toBe(v1[0]);
    for (const t of fleet.targets) expect(t.activations()).toEqual(['v1 switch start', 'v1 switch done']);
    // Unchanged hosts run this commit's systems: recorded too.
    v1Commit = repo.head();
    expect(repo.deployedRef('vm1')).toBe(v1Commit);
  }, 300_000);

  it('dry run: prints the plan, builds and changes nothing', async () => {
    const specs = fleet.targets.map((t, i) => t.system(i === 1 ? 'v2' : 'v1'));
    await repo.setSystems(specs, 'vm1 to v2');
    const r = await cli(['deploy', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('dry run: nothing is built or changed');
    expect(r.stdout).toMatch(/vm1: \S+-nixos-system-v1-ok -> \S+-nixos-system-v2-ok/);
    expect(r.stdout).toContain('unchanged: vm0, vm2');
    expect(fleet.targets[1]!.currentSystem()).toBe(v1[1]);
    expect(fleet.targets[1]!.activations()).toHaveLength(2);
    expect(await fleet.targets[1]!.version()).toBe('v1');
  }, 300_000);

  it('status shows the drift of the host whose system changed in the checkout', async () => {
    const r = await cli(['status', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { hosts: { name: string; status: string; running: string }[] };
    expect(out.hosts.map((h) => `${h.name} ${h.status}`)).toEqual([
      'vm0 in-sync',
      'vm1 drift',
      'vm2 in-sync',
    ]);
    expect(out.hosts[1]!.running).toBe(v1[1]);
  }, 300_000);

  it('deploys only the changed host, records it, and a second run is a no-op', async () => {
    const first = await deployJson([]);
    expect(first.code, first.stderr).toBe(0);
    expect(statuses(first.out)).toEqual({ vm0: 'unchanged', vm1: 'deployed', vm2: 'unchanged' });
    expect(first.out.hosts[1]).toMatchObject({ from: v1[1] });
    expect(await fleet.targets[1]!.version()).toBe('v2');
    expect(repo.deployedRef('vm1')).toBe(repo.head());
    expect(fleet.targets[0]!.activations()).toHaveLength(2);
    // The log carries the same table as the JSON.
    expect(first.stderr).toMatch(/vm1\s+deployed/);

    // The second run as in CI: the same table goes to the job summary.
    const summary = join(fleet.dir, 'step-summary.md');
    writeFileSync(summary, '');
    const r = await cli(['deploy'], { GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: 'true', CI: 'true' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^vm1\s+unchanged/m);
    expect(r.stdout).toContain('3 unchanged');
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('### tappaas deploy');
    expect(md).toMatch(/\| vm1 \| unchanged \|/);
    expect((await cli(['status'])).code).toBe(0);
  }, 300_000);

  it('--changed-from REV only looks at hosts whose toplevel changed since REV', async () => {
    const before = repo.head();
    await repo.setSystems(
      fleet.targets.map((t, i) => t.system(i === 1 ? 'v2' : 'v1')),
      'no system change',
    );
    const r = await deployJson(['--changed-from', before]);
    expect(r.code).toBe(0);
    expect(r.out.hosts).toEqual([]);
    expect(r.stderr).toContain('0 of 3 host(s) changed');
  }, 300_000);

  it('rollback HOST: back to the previous generation, the old service answers, the ref steps back', async () => {
    const r = await cli(['rollback', 'vm1', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'vm1', status: 'rolled-back' });
    expect(fleet.targets[1]!.currentSystem()).toBe(v1[1]);
    expect(await fleet.targets[1]!.version()).toBe('v1');
    expect(repo.deployedRef('vm1')).toBe(v1Commit);
    // And status says so.
    const s = JSON.parse((await cli(['status', '--json'])).stdout) as { hosts: { status: string }[] };
    expect(s.hosts.map((h) => h.status)).toEqual(['in-sync', 'drift', 'in-sync']);
  }, 300_000);

  it('--canary 1 with a failing canary stops before any other host is touched', async () => {
    // vm0 is the canary (the first host that changes) and its activation fails.
    await repo.setSystems(
      fleet.targets.map((t, i) => t.system('v3', i === 0 ? 'activation-fails' : 'ok')),
      'v3, broken on vm0',
    );
    const before = fleet.targets.map((t) => t.activations().length);
    const { code, out } = await deployJson(['--canary', '1']);
    expect(code).toBe(1);
    expect(out.hosts.find((h) => h.name === 'vm0')).toMatchObject({ canary: true });
    expect(['failed', 'rolled-back']).toContain(statuses(out).vm0);
    expect(statuses(out).vm1).toBe('skipped');
    expect(statuses(out).vm2).toBe('skipped');
    expect(out.stopped).toMatch(/^canary vm0 /);
    expect(fleet.targets[1]!.activations()).toHaveLength(before[1]!);
    expect(fleet.targets[2]!.activations()).toHaveLength(before[2]!);
    expect(fleet.targets[1]!.currentSystem()).toBe(v1[1]);
    expect(await fleet.targets[0]!.version()).toBe('v1');
  }, 300_000);

  it('--max-failures: stops starting hosts after that many failures', async () => {
    await repo.setSystems(
      fleet.targets.map((t) => t.system('v4', 'health-fails')),
      'v4, unhealthy everywhere',
    );
    const { code, out } = await deployJson(['--parallel', '1', '--max-failures', '1']);
    expect(code).toBe(1);
    expect(
      out.hosts.map((h) => h.status),
      JSON.stringify(out.hosts, null, 1),
    ).toEqual(['rolled-back', 'skipped', 'skipped']);
    expect(out.stopped).toBe('1 host failed or rolled back (max-failures 1)');
    expect(await fleet.targets[0]!.version()).toBe('v1');
    expect(fleet.targets[1]!.currentSystem()).toBe(v1[1]);
  }, 300_000);

  it('two deploys at once: the second finds the host locked and leaves it alone', async () => {
    // vm0's activation sleeps 40 s: long enough for the second run (evaluation, preflight) to
    // reach vm0's lock while the first still holds it, on a loaded machine too.
    const specs = fleet.targets.map((t, i) => (i === 0 ? t.system('v5', 'slow', 40) : t.system('v1')));
    await repo.setSystems(specs, 'slow v5 on vm0');
    const first = spawn(process.execPath, [CLI, 'deploy', '--json', 'vm0'], {
      cwd: repo.dir,
      env: { ...process.env, ...repo.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstOut = '';
    let firstErr = '';
    first.stdout.on('data', (b: Buffer) => (firstOut += b));
    first.stderr.on('data', (b: Buffer) => (firstErr += b));
    const firstDone = new Promise<number | null>((res) => first.on('close', res));
    // Wait until the first run holds vm0 (its activation has started).
    for (let i = 0; i < 1800 && !fleet.targets[0]!.activations().includes('v5 switch start'); i++)
      await new Promise((r) => setTimeout(r, 100));
    if (!fleet.targets[0]!.activations().includes('v5 switch start')) {
      first.kill();
      await firstDone;
      throw new Error(`the first deploy never activated vm0:\n${firstOut}\n${firstErr}`);
    }
    const second = await deployJson(['vm0']);
    expect(second.code).toBe(1);
    expect(second.out.hosts[0]).toMatchObject({ name: 'vm0', status: 'skipped', phase: 'lock' });
    expect(second.out.hosts[0]!.error).toContain('vm0 is locked by another deploy (tappaas deploy pid');
    expect(await firstDone, firstErr).toBe(0);
    expect((JSON.parse(firstOut) as DeployJson).hosts[0]).toMatchObject({ name: 'vm0', status: 'deployed' });
    expect(fleet.targets[0]!.activations().filter((a) => a.startsWith('v5 switch'))).toEqual([
      'v5 switch start',
      'v5 switch done',
    ]);
  }, 300_000);
});
