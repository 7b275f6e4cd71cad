// The deploy log renders deployFleet's events, and only renders: each event's exact lines, in
// the order the events come, and the dry run's plan text.
import { describe, expect, it } from 'vitest';
import type { DeployOutput, FleetEvent, PlanEvent } from '../../../scripts/deploy/deploy-fleet.js';
import { type HostFacts, planDeploy } from '../../../scripts/deploy/waves.js';
import { deployLog, dryRunText } from '../../../scripts/report/deploy-log.js';
import { painter } from '../../../scripts/term/colors.js';

const store = (c: string, name: string) => `/nix/store/${c.repeat(32)}-nixos-system-${name}`;
const COMMIT = 'c0ffee'.repeat(6) + 'abcd';

function planned(dryRun: boolean): PlanEvent {
  const hosts: HostFacts[] = [
    { name: 'web1', current: store('a', 'web1'), toplevel: store('b', 'web1'), tags: ['canary'] },
    { name: 'web2', current: store('a', 'web2'), toplevel: store('b', 'web2') },
    { name: 'db1', current: store('d', 'db1'), toplevel: store('d', 'db1') },
    { name: 'gone', error: 'host gone is unreachable over SSH', phase: 'preflight' },
  ];
  return {
    type: 'plan',
    plan: planDeploy(hosts, { canary: 0, parallel: 4 }),
    facts: new Map(hosts.map((h) => [h.name, h])),
    commit: COMMIT,
    dirty: false,
    mode: 'switch',
    dryRun,
    maxFailures: 2,
  };
}

function render(events: FleetEvent[]): string {
  let text = '';
  const log = deployLog((t) => (text += t), painter(false), false);
  for (const e of events) log.onEvent(e);
  log.finish();
  return text;
}

describe('deployLog', () => {
  it('writes one line per event, in order', () => {
    const text = render([
      { type: 'changed-since', rev: COMMIT, changed: ['web1', 'web2'], unchanged: ['db1'] },
      { type: 'build', hosts: ['web1', 'web2'] },
      planned(false),
      { type: 'start', host: 'web1', canary: true },
      { type: 'phase', host: 'web1', phase: 'copy' },
      { type: 'done', result: { name: 'web1', status: 'deployed', durationMs: 1500 } },
      { type: 'stop', reason: 'canary web1 failed' },
      { type: 'recorded', commit: COMMIT, hosts: ['web1', 'db1'] },
    ]);
    expect(text).toBe(
      [
        '--changed-from c0ffeec0ffee: 2 of 3 host(s) changed; not deploying db1',
        'building 2 toplevel(s): web1, web2',
        'deploying c0ffeec0ffee with switch: 2 host(s) to change, 1 unchanged; canary first: web1; at most 4 at a time',
        'gone: failed (preflight: host gone is unreachable over SSH)',
        'web1: start (canary)',
        'web1: copy',
        'web1: deployed in 1.5s',
        'stopping: canary web1 failed; no further host starts',
        'recorded refs/deployed/<host> = c0ffeec0ffee for web1, db1',
        '',
      ].join('\n'),
    );
  });

  it('says nothing of a dry run plan: dryRunText prints it', () => {
    const e = planned(true);
    expect(render([e])).toBe('');
    const out: DeployOutput = { commit: COMMIT, dirty: true, mode: 'boot', dryRun: true, hosts: [] };
    expect(dryRunText(e, out)).toBe(
      [
        'dry run: nothing is built or changed; plan for c0ffeec0ffee (dirty) with boot:',
        'canary (first; the run stops if one fails):',
        '  web1: aaaaaaaa…-nixos-system-web1 -> bbbbbbbb…-nixos-system-web1',
        'then, at most 4 at a time (stop after 2 failure(s)):',
        '  web2: aaaaaaaa…-nixos-system-web2 -> bbbbbbbb…-nixos-system-web2',
        'unchanged: db1',
        'cannot deploy gone (preflight): host gone is unreachable over SSH',
        '',
      ].join('\n'),
    );
  });
});
