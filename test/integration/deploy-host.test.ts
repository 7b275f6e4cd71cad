// The per-host deploy engine against real sshd targets on loopback, real `nix copy`, and fixture
// systems whose switch-to-configuration (re)starts a real HTTP service. Each fault has its own
// test; the other targets deploy (or stay unchanged) in the same run and must be unaffected.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCurrentSystem } from '../../scripts/deploy/current-system.js';
import { deployHost } from '../../scripts/deploy/deploy-host.js';
import { rollbackHost } from '../../scripts/deploy/rollback-host.js';
import type { HostDeployRequest, HostResult } from '../../scripts/deploy/types.js';
import { SshError, sshExec } from '../../scripts/ssh/run.js';
import { spawnDeployer } from '../helpers/deploy-host-process.js';
import { SshTargetFleet, type TestTarget } from '../helpers/ssh-targets.js';

let fleet: SshTargetFleet;
let t0: TestTarget;
let t1: TestTarget;
let t2: TestTarget;
/** What each target runs now, as the tests go (index = target). */
const running: string[] = [];

function req(t: TestTarget, toplevel: string, extra: Partial<HostDeployRequest> = {}): HostDeployRequest {
  return {
    target: t.deployTarget,
    toplevel,
    mode: 'switch',
    confirmTimeoutSeconds: 20,
    healthGraceSeconds: 3,
    activationTimeoutSeconds: 60,
    ...extra,
  };
}

/** Deploys to all three targets at once; `systems[i]` for target i (default: what it runs). */
async function deployAll(
  systems: (string | undefined)[],
  extra: Partial<HostDeployRequest>[] = [],
): Promise<HostResult[]> {
  const targets = [t0, t1, t2];
  return Promise.all(targets.map((t, i) => deployHost(req(t, systems[i] ?? running[i]!, extra[i]))));
}

function waitUntil(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (ok()) resolve();
      else if (Date.now() > end) reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

beforeAll(async () => {
  fleet = await SshTargetFleet.start(3);
  [t0, t1, t2] = fleet.targets as [TestTarget, TestTarget, TestTarget];
  const v1 = await fleet.build(fleet.targets.map((t) => t.system(`${t.name}-v1`)));
  await fleet.installAll(v1);
  running.push(...v1);
});

afterAll(async () => {
  await fleet?.cleanup();
});

// Every test runs real ssh round trips; on a loaded 2-core machine each one can take seconds.
describe('deployHost on real sshd targets', { timeout: 240_000 }, () => {
  it('deploys the one host that changed, reports the others unchanged, and a second run is a no-op', async () => {
    const [v2] = await fleet.build([t0.system('vm0-v2')]);
    // vm0 also checks a command over SSH: the new system's version file is what runs.
    const withCommand = {
      ...t0.deployTarget,
      health: [
        ...t0.deployTarget.health,
        { type: 'command' as const, run: `grep -qx vm0-v2 ${t0.deployTarget.currentSystem}/version` },
      ],
    };
    const results = await Promise.all([
      deployHost({ ...req(t0, v2!), target: withCommand }),
      deployHost(req(t1, running[1]!)),
      deployHost(req(t2, running[2]!)),
    ]);
    expect(
      results.map((r) => r.status),
      JSON.stringify(results),
    ).toEqual(['deployed', 'unchanged', 'unchanged']);
    expect(results[0]).toMatchObject({ name: 'vm0', from: running[0], to: v2, launcher: 'nohup' });
    expect(results[0]!.phases).toEqual(['preflight', 'copy', 'activate', 'confirm', 'health']);
    expect(results[1]!.phases).toEqual(['preflight']);
    expect(t0.currentSystem()).toBe(v2);
    expect(t0.profileSystem()).toBe(v2);
    expect(await t0.version()).toBe('vm0-v2');
    expect(t0.runFile(results[0]!.runId!, 'state')).toBe('confirmed');
    running[0] = v2!;

    const again = await deployAll([]);
    expect(again.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect((await readCurrentSystem(t0.deployTarget)).current).toBe(v2);
  });

  it('fails an unreachable host in preflight without copying or starting anything on it', async () => {
    const [a, b] = await fleet.build([t0.system('vm0-v3'), t1.system('vm1-v3')]);
    await t1.stopSshd();
    const runsBefore = t1.runIds().length;
    try {
      const results = await deployAll([a, b]);
      expect(results.map((r) => r.status)).toEqual(['deployed', 'failed', 'unchanged']);
      expect(results[1]).toMatchObject({ phase: 'preflight', phases: ['preflight'] });
      expect(results[1]!.error).toContain('host vm1 is unreachable over SSH');
      expect(t1.runIds().length).toBe(runsBefore);
      expect(t1.currentSystem()).toBe(running[1]);
      expect(await t1.version()).toBe('vm1-v1');
      expect(await t0.version()).toBe('vm0-v3');
      running[0] = a!;
    } finally {
      await t1.startSshd();
    }
  });

  it('rolls back by itself when activation fails, and the old service answers again', async () => {
    const [good, bad] = await fleet.build([t0.system('vm0-v4'), t2.system('vm2-v4', 'activation-fails')]);
    const results = await deployAll([good, undefined, bad]);
    expect(
      results.map((r) => r.status),
      JSON.stringify(results),
    ).toEqual(['deployed', 'unchanged', 'rolled-back']);
    expect(results[2]).toMatchObject({ phase: 'activate', from: running[2], to: bad });
    expect(results[2]!.error).toContain('switch-to-configuration switch exited 1');
    expect(results[2]!.phases).toEqual(['preflight', 'copy', 'activate', 'verify']);
    expect(t2.currentSystem()).toBe(running[2]);
    expect(t2.profileSystem()).toBe(running[2]);
    expect(await t2.version()).toBe('vm2-v1');
    expect(await t0.version()).toBe('vm0-v4');
    running[0] = good!;
  });

  it('rolls back when the health check fails and verifies that the old service answers again', async () => {
    const [sick] = await fleet.build([t1.system('vm1-v5', 'health-fails')]);
    const results = await deployAll([undefined, sick]);
    expect(
      results.map((r) => r.status),
      JSON.stringify(results),
    ).toEqual(['unchanged', 'rolled-back', 'unchanged']);
    expect(results[1]).toMatchObject({ phase: 'health', from: running[1], to: sick });
    expect(results[1]!.error).toMatch(
      /http :\d+\/health: GET http:\/\/127\.0\.0\.1:\d+\/health answered 500/,
    );
    expect(results[1]!.phases).toEqual([
      'preflight',
      'copy',
      'activate',
      'confirm',
      'health',
      'rollback',
      'verify',
    ]);
    expect(t1.currentSystem()).toBe(running[1]);
    expect(t1.profileSystem()).toBe(running[1]);
    expect(await t1.version()).toBe('vm1-v1');
    expect(t1.activations().slice(-2)).toEqual(['vm1-v1 switch start', 'vm1-v1 switch done']);
  });

  it('finishes the activation when every SSH connection is killed in the middle of it', async () => {
    const [slow] = await fleet.build([t0.system('vm0-v6', 'slow', 3)]);
    let killed = 0;
    let killing: Promise<void> = Promise.resolve();
    const killer = (phase: string) => {
      if (phase !== 'activate') return;
      // Once switch-to-configuration runs (it sleeps 3 s), kill every session for 2.5 s.
      killing = (async () => {
        await waitUntil(
          'the activation to start',
          () => t0.activations().includes('vm0-v6 switch start'),
          20_000,
        );
        const end = Date.now() + 2500;
        while (Date.now() < end) {
          killed += t0.killSessions();
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
    };
    const results = await deployAll([slow], [{ onPhase: killer }]);
    await killing;
    expect(killed).toBeGreaterThan(0);
    expect(
      results.map((r) => r.status),
      JSON.stringify(results),
    ).toEqual(['deployed', 'unchanged', 'unchanged']);
    expect(t0.activations().slice(-2)).toEqual(['vm0-v6 switch start', 'vm0-v6 switch done']);
    expect(await t0.version()).toBe('vm0-v6');
    running[0] = slow!;
  });

  it('rolls back by itself when the host drops off the network during activation, and the run reports it', async () => {
    const [slow] = await fleet.build([t1.system('vm1-v7', 'slow', 2)]);
    let restarted: Promise<void> = Promise.resolve();
    const dropped = (phase: string) => {
      if (phase !== 'activate') return;
      restarted = (async () => {
        await waitUntil(
          'the activation to start',
          () => t1.activations().includes('vm1-v7 switch start'),
          20_000,
        );
        await t1.stopSshd();
        const runId = newest(t1);
        await waitUntil(
          'the target to roll back by itself',
          () => t1.runFile(runId, 'state') === 'rolled-back',
          20_000,
        );
        await t1.startSshd();
      })();
    };
    const results = await deployAll([undefined, slow], [{}, { onPhase: dropped, confirmTimeoutSeconds: 3 }]);
    await restarted;
    expect(
      results.map((r) => r.status),
      JSON.stringify(results),
    ).toEqual(['unchanged', 'rolled-back', 'unchanged']);
    expect(results[1]).toMatchObject({ phase: 'confirm' });
    expect(results[1]!.error).toContain('no confirmation within 3 seconds');
    expect(t1.currentSystem()).toBe(running[1]);
    expect(await t1.version()).toBe('vm1-v1');
  });

  it('rolls back by itself within the timeout when the deployer dies before confirming', async () => {
    const [next] = await fleet.build([t2.system('vm2-v8')]);
    // The moment activation has succeeded (the agent waits for confirmation) the deployer dies:
    // it freezes itself on entering the confirm phase, before it opens the connection.
    const deployer = await spawnDeployer(req(t2, next!, { confirmTimeoutSeconds: 3 }), {
      freezeAt: 'confirm',
    });
    await deployer.phase('confirm');
    expect(t2.currentSystem()).toBe(next);
    expect(t2.runFile(newest(t2), 'state')).toBe('waiting-confirm');
    deployer.child.kill('SIGKILL');
    await deployer.exited;
    const killedAt = Date.now();
    expect(await t2.version()).toBe('vm2-v8');
    await waitUntil(
      'the target to roll back by itself',
      () => t2.runFile(newest(t2), 'state') === 'rolled-back',
      30_000,
    );
    // 3 s of waiting, then the old system's activation (slow on a loaded machine).
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(t2.runFile(newest(t2), 'reason')).toBe('no confirmation within 3 seconds');
    expect(t2.currentSystem()).toBe(running[2]);
    expect(t2.profileSystem()).toBe(running[2]);
    expect(await t2.version()).toBe('vm2-v1');
  });

  it('boot mode sets the profile and the boot entry, leaves the running system, and then is unchanged', async () => {
    const [next] = await fleet.build([t2.system('vm2-v9')]);
    const first = await deployHost(req(t2, next!, { mode: 'boot' }));
    expect(first, JSON.stringify(first)).toMatchObject({ status: 'deployed', from: running[2], to: next });
    expect(first.phases).toEqual(['preflight', 'copy', 'activate', 'confirm', 'health']);
    expect(t2.profileSystem()).toBe(next);
    expect(realpathSync(join(t2.root, 'boot-entry'))).toBe(next);
    expect(t2.currentSystem()).toBe(running[2]);
    expect(await t2.version()).toBe('vm2-v1');
    expect((await deployHost(req(t2, next!, { mode: 'boot' }))).status).toBe('unchanged');
    // A switch to the same system still activates it: the running system differs.
    const switched = await deployHost(req(t2, next!));
    expect(switched.status).toBe('deployed');
    expect(await t2.version()).toBe('vm2-v9');
    running[2] = next!;
  });

  it('rolls a host back to its previous generation on request (tappaas rollback HOST)', async () => {
    // vm0's profile generations: v1, v2, v3, v4, v6; the one before the current is v4.
    const before = t0.currentSystem();
    const result = await rollbackHost(t0.deployTarget, { healthGraceSeconds: 3 });
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'rolled-back', from: before });
    expect(result.to).toContain('vm0-v4');
    expect(t0.currentSystem()).toBe(result.to);
    expect(await t0.version()).toBe('vm0-v4');
  });
});

function newest(t: TestTarget): string {
  return t.runIds().sort().at(-1) ?? '';
}

describe('the ssh adapter against a real sshd', { timeout: 120_000 }, () => {
  it('tells a failing command from an unreachable host, naming the host', async () => {
    const failed = await sshExec(t0.deployTarget, 'exit 3', 'run the check').catch((e: SshError) => e);
    expect(failed).toBeInstanceOf(SshError);
    expect(failed).toMatchObject({ kind: 'failed', host: 'vm0' });
    expect((failed as SshError).message).toBe('on host vm0, run the check failed (exit 3): ssh exit 3');

    // A host key that does not match known_hosts is refused by ssh itself: unreachable, with why.
    const wrongKeys = join(fleet.dir, 'wrong_known_hosts');
    const t0Key = readFileSync(join(t0.root, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(wrongKeys, `[127.0.0.1]:${t1.sshPort} ${t0Key}\n`);
    const impostor = {
      ...t1.deployTarget,
      name: 'impostor',
      // ssh takes the first value of an option: this known_hosts wins.
      sshOptions: [`UserKnownHostsFile=${wrongKeys}`, ...fleet.sshOptions],
    };
    const refused = await sshExec(impostor, 'true', 'read the running system').catch((e: SshError) => e);
    expect(refused).toMatchObject({ kind: 'unreachable', host: 'impostor' });
    expect((refused as SshError).message).toContain('Host key verification failed');

    const ok = await sshExec(t0.deployTarget, 'printf %s "$0"', 'print');
    expect(ok.stdout).not.toBe('');
  });
});
