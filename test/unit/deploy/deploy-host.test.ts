// deployTo and rollbackOn over a scripted TargetHost: every branch of the per-host deploy (unchanged,
// unreachable, copy failure, busy agent, the target's own rollback, confirmation lost, health
// failure and the verified rollback after it, a lost launch connection, cancellation) with the
// exact calls each makes. The same flows against real sshd targets: test/integration/deploy-host.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DeployJob, deployTo } from '../../../scripts/deploy/deploy-host.js';
import { rollbackOn } from '../../../scripts/deploy/rollback-host.js';
import { type HostScript, ScriptedHost, unreachable } from '../../helpers/scripted-host.js';

const OLD = '/nix/store/aaaa-nixos-system-web1-old';
const NEW = '/nix/store/bbbb-nixos-system-web1-new';
const onOld = { current: OLD, profile: OLD, systemd: true };

const job = (extra: Partial<DeployJob> = {}): DeployJob => ({
  toplevel: NEW,
  mode: 'switch',
  confirmTimeoutSeconds: 30,
  runId: 'run1',
  ...extra,
});

/** Runs with fake timers, so that retries and deadlines pass at once. */
async function deploy(script: HostScript, extra: Partial<DeployJob> = {}, signal?: AbortSignal) {
  const host = new ScriptedHost(script);
  const running = deployTo(host, job(extra), signal);
  await vi.runAllTimersAsync();
  return { host, result: await running };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const launched = {
  launcher: 'systemd-run' as const,
  status: { state: 'waiting-confirm' as const, previous: OLD },
};

describe('deployTo over a scripted host', () => {
  it('leaves a host that already runs and boots the toplevel alone', async () => {
    const { host, result } = await deploy({ probe: [{ current: NEW, profile: NEW, systemd: true }] });
    expect(result).toMatchObject({
      name: 'web1',
      status: 'unchanged',
      from: NEW,
      to: NEW,
      phases: ['preflight'],
    });
    expect(host.calls).toEqual(['probe']);
  });

  it('boot mode: unchanged once the profile boots the toplevel, whatever runs', async () => {
    const { result } = await deploy(
      { probe: [{ current: OLD, profile: NEW, systemd: true }] },
      { mode: 'boot' },
    );
    expect(result).toMatchObject({ status: 'unchanged', from: OLD });
  });

  it('fails an unreachable host in preflight and touches nothing', async () => {
    const { host, result } = await deploy({ probe: [unreachable('read the running system')] });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'preflight',
      error: 'host web1 is unreachable over SSH while trying to read the running system: Connection refused',
      to: NEW,
    });
    expect(result.from).toBeUndefined();
    expect(host.calls).toEqual(['probe']);
  });

  it('uses what the fleet lock read instead of probing again', async () => {
    const { host } = await deploy({ copy: ['host web1: nix copy exited 1: no space'] }, { preflight: onOld });
    expect(host.calls[0]).toBe(`copy ${NEW}`);
  });

  it('fails in copy and starts nothing when the closure does not arrive', async () => {
    const { host, result } = await deploy({
      probe: [onOld],
      copy: ['host web1: nix copy exited 1: no space'],
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'copy',
      error: 'host web1: nix copy exited 1: no space',
      from: OLD,
    });
    expect(host.calls).toEqual(['probe', `copy ${NEW}`]);
  });

  it('deploys: activation, confirmation, health checks', async () => {
    const { host, result } = await deploy({
      probe: [onOld],
      copy: [undefined],
      launch: [launched],
      confirm: [{ state: 'confirmed', previous: OLD }],
      health: [[]],
    });
    expect(result).toMatchObject({
      status: 'deployed',
      from: OLD,
      to: NEW,
      launcher: 'systemd-run',
      runId: 'run1',
      phases: ['preflight', 'copy', 'activate', 'confirm', 'health'],
    });
    expect(result.error).toBeUndefined();
    expect(host.calls).toEqual(['probe', `copy ${NEW}`, 'launch deploy', 'confirm', 'health 30']);
    expect(host.launches[0]).toEqual({
      runId: 'run1',
      command: 'deploy',
      params: {
        profile: '/nix/var/nix/profiles/system',
        current: '/run/current-system',
        toplevel: NEW,
        mode: 'switch',
        timeout: '30',
      },
      wait: { whileStates: ['queued', 'activating'], maxWaitSeconds: 5 },
    });
  });

  it('boot mode runs no health checks: the running system did not change', async () => {
    const { host, result } = await deploy(
      {
        probe: [onOld],
        copy: [undefined],
        launch: [launched],
        confirm: [{ state: 'confirmed' }],
      },
      { mode: 'boot' },
    );
    expect(result.status).toBe('deployed');
    expect(host.calls).not.toContain('health 30');
  });

  it('fails in activate when another agent already runs on the target', async () => {
    const { host, result } = await deploy({
      probe: [onOld],
      copy: [undefined],
      launch: [{ launcher: 'nohup', status: { state: 'busy', reason: 'another deploy runs: run0' } }],
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'activate',
      error: 'another deploy runs: run0',
      launcher: 'nohup',
    });
    expect(host.calls).toEqual(['probe', `copy ${NEW}`, 'launch deploy']);
  });

  it('fails in activate when the agent died in the middle', async () => {
    const { result } = await deploy({
      probe: [onOld],
      copy: [undefined],
      launch: [{ launcher: 'nohup', status: { state: 'activating', alive: false, log: 'Killed' } }],
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'activate',
      error: 'the deploy agent died in state activating; log: Killed',
    });
  });

  it('reports rolled-back when the activation failed and the target is verifiably back', async () => {
    const { host, result } = await deploy({
      probe: [onOld, onOld],
      copy: [undefined],
      launch: [
        {
          launcher: 'systemd-run',
          status: {
            state: 'rolled-back',
            reason: 'activation exited 1',
            reasonPhase: 'activate',
            previous: OLD,
          },
        },
      ],
      health: [[]],
    });
    expect(result).toMatchObject({
      status: 'rolled-back',
      phase: 'activate',
      error: 'activation exited 1',
      phases: ['preflight', 'copy', 'activate', 'verify'],
    });
    expect(host.calls).toEqual(['probe', `copy ${NEW}`, 'launch deploy', 'probe', 'health 30']);
  });

  it('rolls back on failed health checks and verifies the old system', async () => {
    const { host, result } = await deploy(
      {
        probe: [onOld, onOld],
        copy: [undefined],
        launch: [launched, { launcher: 'systemd-run', status: { state: 'rolled-back' } }],
        confirm: [{ state: 'confirmed', previous: OLD }],
        health: [['systemd: unit web.service\nfailed'], []],
      },
      { healthGraceSeconds: 3 },
    );
    expect(result).toMatchObject({
      status: 'rolled-back',
      phase: 'health',
      error: 'health checks failed: systemd: unit web.service\nfailed',
      from: OLD,
      to: NEW,
      phases: ['preflight', 'copy', 'activate', 'confirm', 'health', 'rollback', 'verify'],
    });
    expect(host.calls).toEqual([
      'probe',
      `copy ${NEW}`,
      'launch deploy',
      'confirm',
      'health 3',
      'launch rollback',
      'probe',
      'health 3',
    ]);
    // The reason travels as one line in a parameter file.
    expect(host.launches[1]!.params).toEqual({
      'reason-phase': 'health',
      reason: 'health checks failed: systemd: unit web.service failed',
    });
  });

  it('fails in rollback when the old system fails its health checks too', async () => {
    const { result } = await deploy({
      probe: [onOld, onOld],
      copy: [undefined],
      launch: [launched, { launcher: 'systemd-run', status: { state: 'rolled-back' } }],
      confirm: [{ state: 'confirmed', previous: OLD }],
      health: [['http :80/: 500'], ['http :80/: 500']],
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'rollback',
      error:
        'health checks failed: http :80/: 500; rollback not verified: the previous system fails its health checks: http :80/: 500',
    });
  });

  it('fails in rollback when the host still runs the new system after the rollback', async () => {
    const { result } = await deploy({
      probe: [onOld, { current: NEW, profile: OLD, systemd: true }],
      copy: [undefined],
      launch: [launched, { launcher: 'systemd-run', status: { state: 'rolled-back' } }],
      confirm: [{ state: 'confirmed', previous: OLD }],
      health: [['systemd: degraded']],
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'rollback',
      error: `health checks failed: systemd: degraded; rollback not verified: the running system is ${NEW}, not the previous ${OLD}`,
    });
  });

  it('fails in rollback when the rollback agent fails', async () => {
    const { result } = await deploy({
      probe: [onOld],
      copy: [undefined],
      launch: [
        launched,
        { launcher: 'systemd-run', status: { state: 'rollback-failed', reason: 'no generation' } },
      ],
      confirm: [{ state: 'confirmed', previous: OLD }],
      health: [['systemd: degraded']],
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'rollback',
      error: 'health checks failed: systemd: degraded; rollback failed: no generation',
    });
  });

  it('follows the agent when the launch connection broke after it started', async () => {
    const { host, result } = await deploy({
      probe: [onOld],
      copy: [undefined],
      launch: [unreachable('start the deploy agent', 'nohup')],
      status: [{ state: 'waiting-confirm', previous: OLD }],
      confirm: [{ state: 'confirmed' }],
      health: [[]],
    });
    expect(result).toMatchObject({ status: 'deployed', launcher: 'nohup' });
    expect(host.calls).toEqual([
      'probe',
      `copy ${NEW}`,
      'launch deploy',
      'status queued',
      'confirm',
      'health 30',
    ]);
  });

  it('fails in activate, nothing changed, when the launch broke before the agent started', async () => {
    const { host, result } = await deploy({
      probe: [onOld],
      copy: [undefined],
      launch: [unreachable('start the deploy agent')],
      status: [{}],
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'activate',
      error:
        'host web1 is unreachable over SSH while trying to start the deploy agent: Connection refused; the agent did not start',
    });
    expect(host.calls).toEqual(['probe', `copy ${NEW}`, 'launch deploy', 'status queued']);
  });

  it('reports the rollback the target made by itself when no confirmation got through', async () => {
    const { host, result } = await deploy(
      {
        probe: [onOld, onOld],
        copy: [undefined],
        launch: [launched],
        confirm: [unreachable('confirm the activation')],
        status: [
          {
            state: 'rolled-back',
            reasonPhase: 'confirm',
            reason: 'no confirmation within 1 s',
            previous: OLD,
          },
        ],
        health: [[]],
      },
      { confirmTimeoutSeconds: 1 },
    );
    expect(result).toMatchObject({
      status: 'rolled-back',
      phase: 'confirm',
      error: 'no confirmation within 1 s',
    });
    expect(host.calls).toEqual([
      'probe',
      `copy ${NEW}`,
      'launch deploy',
      'confirm',
      'status queued',
      'probe',
      'health 30',
    ]);
  });

  it('fails in confirm when the host is lost after the confirmation', async () => {
    const lost = unreachable('read the deploy agent status');
    const { result } = await deploy(
      {
        probe: [onOld],
        copy: [undefined],
        launch: [launched],
        // The confirmation came late: the agent is already rolling back.
        confirm: [{ state: 'rolling-back', previous: OLD }],
        status: [lost, lost, lost],
      },
      { confirmTimeoutSeconds: 1, activationTimeoutSeconds: 2 },
    );
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'confirm',
      error: `confirmed, then lost the host: gave up waiting; the agent was last seen in state rolling-back; ${lost.message}`,
    });
  });

  it('fails in confirm when neither the confirmation nor a status read gets through', async () => {
    const { result } = await deploy(
      {
        probe: [onOld],
        copy: [undefined],
        launch: [launched],
        confirm: [unreachable('confirm the activation')],
        status: [unreachable('read the deploy agent status'), unreachable('read the deploy agent status')],
      },
      { confirmTimeoutSeconds: 1, activationTimeoutSeconds: 1 },
    );
    expect(result).toMatchObject({ status: 'failed', phase: 'confirm' });
    expect(result.error).toMatch(
      /^could not confirm \(host web1 is unreachable over SSH while trying to confirm the activation: Connection refused\); gave up waiting; no agent status was read; .*; unconfirmed, the target rolls back by itself$/,
    );
  });

  it('stops with `cancelled` once the signal is aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    const { host, result } = await deploy({ probe: [onOld] }, {}, abort.signal);
    expect(result).toMatchObject({ status: 'failed', phase: 'preflight', error: 'cancelled', from: OLD });
    expect(host.calls).toEqual(['probe']);
  });
});

describe('rollbackOn over a scripted host', () => {
  async function rollback(script: HostScript) {
    const host = new ScriptedHost(script);
    const running = rollbackOn(host, { runId: 'run2' });
    await vi.runAllTimersAsync();
    return { host, result: await running };
  }
  const onNew = { current: NEW, profile: NEW, systemd: true };
  const back = { launcher: 'systemd-run' as const, status: { state: 'rolled-back' as const, to: OLD } };

  it('rolls back to the previous generation and checks that it runs and is healthy', async () => {
    const { host, result } = await rollback({ probe: [onNew, onOld], launch: [back], health: [[]] });
    expect(result).toMatchObject({
      status: 'rolled-back',
      from: NEW,
      to: OLD,
      runId: 'run2',
      phases: ['preflight', 'rollback', 'verify'],
    });
    expect(host.calls).toEqual(['probe', 'launch rollback-profile', 'probe', 'health 30']);
    expect(host.launches[0]!.params).toEqual({
      profile: '/nix/var/nix/profiles/system',
      current: '/run/current-system',
      mode: 'switch',
    });
  });

  it('fails in verify when the host is not on the previous generation afterwards', async () => {
    const { result } = await rollback({ probe: [onNew, onNew], launch: [back] });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'verify',
      error: `after the rollback the host is on ${NEW}, not ${OLD}`,
    });
  });

  it('fails in health when the previous generation is unhealthy', async () => {
    const { result } = await rollback({
      probe: [onNew, onOld],
      launch: [back],
      health: [['systemd: degraded']],
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'health',
      error: 'health checks failed: systemd: degraded',
    });
  });

  it('fails in preflight when the host is unreachable', async () => {
    const { host, result } = await rollback({ probe: [unreachable('read the running system')] });
    expect(result).toMatchObject({ status: 'failed', phase: 'preflight' });
    expect(host.calls).toEqual(['probe']);
  });
});
