// runPlan over an in-process engine (the FleetEngine interface, our own code: no program is
// stood in for): canaries first and alone, the parallel limit, stop decisions, locks held
// around each host and released after.
import { describe, expect, it } from 'vitest';
import { type FleetEngine, type RunEvent, runPlan } from '../../../scripts/deploy/fleet.js';
import { LockBusyError } from '../../../scripts/deploy/fleet-lock.js';
import type { DeployTarget, HostResult, HostStatus } from '../../../scripts/deploy/types.js';
import { type HostFacts, planDeploy } from '../../../scripts/deploy/waves.js';

function setup(n: number, outcome: Record<string, HostStatus | 'throws' | 'busy'> = {}) {
  const names = Array.from({ length: n }, (_, i) => `h${i}`);
  const facts = new Map<string, HostFacts>(
    names.map((name) => [name, { name, current: '/old', toplevel: `/new-${name}` }]),
  );
  const targets = new Map<string, DeployTarget>(
    names.map((name) => [name, { name, address: name, health: [], profile: '/p', currentSystem: '/c' }]),
  );
  const log: string[] = [];
  let active = 0;
  let maxActive = 0;
  const held = new Set<string>();
  const engine: FleetEngine = {
    async acquireLock(t) {
      if (outcome[t.name] === 'busy') throw new LockBusyError(t.name, 'run 7');
      held.add(t.name);
      return { release: async () => void held.delete(t.name) };
    },
    async deployHost(req): Promise<HostResult> {
      expect(held.has(req.target.name)).toBe(true);
      active++;
      maxActive = Math.max(maxActive, active);
      log.push(`start ${req.target.name}`);
      req.onPhase?.('copy');
      await new Promise((r) => setTimeout(r, 5));
      active--;
      log.push(`end ${req.target.name}`);
      const o = outcome[req.target.name];
      if (o === 'throws') throw new Error('ssh exploded');
      return {
        name: req.target.name,
        status: (o as HostStatus) ?? 'deployed',
        from: '/old',
        to: req.toplevel,
      };
    },
  };
  return { names, facts, targets, engine, log, held, maxActive: () => maxActive };
}

const opts = (maxFailures = 1, events: RunEvent[] = []) => ({
  mode: 'switch' as const,
  maxFailures,
  confirmTimeout: () => 30,
  onEvent: (e: RunEvent) => events.push(e),
});

describe('runPlan', () => {
  it('deploys everything at most `parallel` at a time and releases every lock', async () => {
    const s = setup(7);
    const plan = planDeploy([...s.facts.values()], { canary: 0, parallel: 3 });
    const results = await runPlan(plan, s.targets, s.facts, s.engine, opts());
    expect(results.map((r) => r.status)).toEqual(Array(7).fill('deployed'));
    expect(s.maxActive()).toBe(3);
    expect(s.held.size).toBe(0);
  });

  it('finishes the canaries before any other host starts', async () => {
    const s = setup(5);
    const plan = planDeploy([...s.facts.values()], { canary: 2, parallel: 10 });
    await runPlan(plan, s.targets, s.facts, s.engine, opts());
    const firstOther = s.log.findIndex((l) => /start h[234]/.test(l));
    expect(s.log.slice(0, firstOther).sort()).toEqual(['end h0', 'end h1', 'start h0', 'start h1']);
  });

  it('a failing canary stops the run before any other host is touched', async () => {
    const s = setup(3, { h0: 'rolled-back' });
    const events: RunEvent[] = [];
    const plan = planDeploy([...s.facts.values()], { canary: 1, parallel: 10 });
    const results = await runPlan(plan, s.targets, s.facts, s.engine, opts(5, events));
    expect(s.log).toEqual(['start h0', 'end h0']);
    expect(results).toMatchObject([
      { name: 'h0', status: 'rolled-back' },
      { name: 'h1', status: 'skipped', error: 'not started: canary h0 rolled-back' },
      { name: 'h2', status: 'skipped', error: 'not started: canary h0 rolled-back' },
    ]);
    expect(events.filter((e) => e.type === 'stop')).toEqual([
      { type: 'stop', reason: 'canary h0 rolled-back' },
    ]);
  });

  it('stops starting hosts after max-failures; an engine exception is a failure of that host', async () => {
    const s = setup(6, { h0: 'failed', h1: 'throws' });
    const plan = planDeploy([...s.facts.values()], { canary: 0, parallel: 1 });
    const results = await runPlan(plan, s.targets, s.facts, s.engine, opts(2));
    expect(results.map((r) => `${r.name} ${r.status}`)).toEqual([
      'h0 failed',
      'h1 failed',
      'h2 skipped',
      'h3 skipped',
      'h4 skipped',
      'h5 skipped',
    ]);
    expect(results[1]).toMatchObject({ error: 'ssh exploded', phase: 'copy' });
    expect(s.held.size).toBe(0);
  });

  it('reports a host whose lock another deploy holds as skipped, without deploying it', async () => {
    const s = setup(2, { h1: 'busy' });
    const plan = planDeploy([...s.facts.values()], { canary: 0, parallel: 2 });
    const results = await runPlan(plan, s.targets, s.facts, s.engine, opts());
    expect(results.find((r) => r.name === 'h1')).toMatchObject({
      status: 'skipped',
      phase: 'lock',
      error: 'h1 is locked by another deploy (run 7); try again when it has finished',
    });
    expect(s.log).not.toContain('start h1');
    expect(results.find((r) => r.name === 'h0')!.status).toBe('deployed');
  });

  it('stops when a canary could not be deployed because its lock is held', async () => {
    const s = setup(2, { h0: 'busy' });
    const plan = planDeploy([...s.facts.values()], { canary: 1, parallel: 2 });
    const results = await runPlan(plan, s.targets, s.facts, s.engine, opts());
    expect(results.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(results[1]!.error).toBe('not started: canary h0 skipped');
  });
});
