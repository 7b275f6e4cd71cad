// Fleet deploy decisions: which hosts change, canaries, when to stop, the exit code.
import { describe, expect, it } from 'vitest';
import type { HostResult } from '../../../scripts/deploy/types.js';
import {
  exitCodeOf,
  type HostFacts,
  inInventoryOrder,
  planDeploy,
  skippedResults,
  stopReason,
} from '../../../scripts/deploy/waves.js';

const facts = (name: string, extra: Partial<HostFacts> = {}): HostFacts => ({
  name,
  current: `/nix/store/old-${name}`,
  toplevel: `/nix/store/new-${name}`,
  ...extra,
});

describe('planDeploy', () => {
  it('settles unchanged and failed hosts without touching them', () => {
    const plan = planDeploy(
      [
        facts('a'),
        facts('b', { current: '/nix/store/same', toplevel: '/nix/store/same' }),
        facts('c', { current: undefined, error: 'ssh: connect refused', phase: 'preflight' }),
        facts('d', { toplevel: undefined, error: 'build failed', phase: 'build' }),
      ],
      { canary: 0, parallel: 10 },
    );
    expect(plan.canary).toEqual([]);
    expect(plan.rest).toEqual(['a']);
    expect(plan.settled).toEqual([
      { name: 'b', status: 'unchanged', from: '/nix/store/same', to: '/nix/store/same' },
      {
        name: 'c',
        status: 'failed',
        to: '/nix/store/new-c',
        error: 'ssh: connect refused',
        phase: 'preflight',
      },
      { name: 'd', status: 'failed', from: '/nix/store/old-d', error: 'build failed', phase: 'build' },
    ]);
  });

  it('picks tagged canaries first, then fills up to --canary in inventory order', () => {
    const hosts = [facts('a'), facts('b', { tags: ['canary'] }), facts('c'), facts('d')];
    expect(planDeploy(hosts, { canary: 0, parallel: 2 })).toMatchObject({
      canary: ['b'],
      rest: ['a', 'c', 'd'],
      parallel: 2,
    });
    expect(planDeploy(hosts, { canary: 2, parallel: 2 })).toMatchObject({
      canary: ['b', 'a'],
      rest: ['c', 'd'],
    });
    expect(planDeploy(hosts, { canary: 9, parallel: 2 })).toMatchObject({
      canary: ['b', 'a', 'c', 'd'],
      rest: [],
    });
  });

  it('never picks an unchanged host as a canary', () => {
    const plan = planDeploy([facts('a', { current: '/x', toplevel: '/x', tags: ['canary'] }), facts('b')], {
      canary: 1,
      parallel: 1,
    });
    expect(plan.canary).toEqual(['b']);
  });
});

const r = (name: string, status: HostResult['status']): HostResult => ({ name, status });

describe('stopReason', () => {
  it('stops on a failed or rolled-back canary whatever max-failures says', () => {
    expect(stopReason([r('a', 'failed')], new Set(['a']), 5)).toBe('canary a failed');
    expect(stopReason([r('a', 'rolled-back')], new Set(['a']), 5)).toBe('canary a rolled-back');
  });

  it('stops once max-failures hosts failed or rolled back', () => {
    const none = new Set<string>();
    expect(stopReason([r('a', 'deployed'), r('b', 'unchanged')], none, 1)).toBeUndefined();
    expect(stopReason([r('a', 'failed')], none, 1)).toBe('1 host failed or rolled back (max-failures 1)');
    expect(stopReason([r('a', 'failed')], none, 2)).toBeUndefined();
    expect(stopReason([r('a', 'failed'), r('b', 'rolled-back')], none, 2)).toBe(
      '2 hosts failed or rolled back (max-failures 2)',
    );
    // A host skipped because another deploy held its lock says nothing about the new system.
    expect(stopReason([r('a', 'skipped')], none, 1)).toBeUndefined();
  });
});

describe('exit code and order', () => {
  it('is 1 for any failed, rolled-back or skipped-for-a-reason host', () => {
    expect(exitCodeOf([r('a', 'deployed'), r('b', 'unchanged')])).toBe(0);
    expect(exitCodeOf([])).toBe(0);
    expect(exitCodeOf([r('a', 'deployed'), r('b', 'failed')])).toBe(1);
    expect(exitCodeOf([r('a', 'rolled-back')])).toBe(1);
    expect(exitCodeOf([{ name: 'a', status: 'skipped', error: 'locked' }])).toBe(1);
    expect(exitCodeOf([r('a', 'skipped')])).toBe(0);
  });

  it('marks never-started hosts skipped with the reason', () => {
    const f = new Map([['b', facts('b')]]);
    expect(skippedResults(['b'], f, 'canary a failed')).toEqual([
      {
        name: 'b',
        status: 'skipped',
        from: '/nix/store/old-b',
        to: '/nix/store/new-b',
        error: 'not started: canary a failed',
      },
    ]);
  });

  it('sorts results into inventory order', () => {
    expect(
      inInventoryOrder([r('c', 'deployed'), r('a', 'failed')], ['a', 'b', 'c']).map((x) => x.name),
    ).toEqual(['a', 'c']);
  });
});
