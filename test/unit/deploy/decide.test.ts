import { describe, expect, it } from 'vitest';
import {
  type AgentStatus,
  deployStep,
  isUnchanged,
  parseAgentStatus,
  parseProbe,
  rollbackProblem,
  rollbackStep,
  systemdVerdict,
} from '../../../scripts/deploy/decide.js';

const A = '/nix/store/aaa-system';
const B = '/nix/store/bbb-system';

describe('probe', () => {
  it('reads the running system, the profile and systemd', () => {
    expect(parseProbe(`tappaas-probe\ncurrent=${A}\nprofile=${B}\nsystemd=yes\n`)).toEqual({
      current: A,
      profile: B,
      systemd: true,
    });
    expect(parseProbe('tappaas-probe\ncurrent=\nprofile=\nsystemd=no\n')).toEqual({
      current: undefined,
      profile: undefined,
      systemd: false,
    });
  });

  it('rejects an answer without the marker (a forced command, a banner)', () => {
    expect(parseProbe('This account is restricted\n')).toBeUndefined();
  });
});

describe('unchanged hosts are skipped by what the mode would change', () => {
  it.each([
    ['switch', A, A, true],
    ['switch', A, B, false],
    ['switch', B, A, false],
    ['test', A, B, true],
    ['test', B, A, false],
    ['boot', B, A, true],
    ['boot', A, B, false],
  ] as const)('%s with current %s and profile %s: %s', (mode, current, profile, unchanged) => {
    expect(isUnchanged(mode, { current, profile, systemd: true }, A)).toBe(unchanged);
  });
});

describe('agent status', () => {
  it('parses the status lines, log lines joined', () => {
    const s = parseAgentStatus(
      `state=rolled-back\nreason=switch-to-configuration switch exited 1\nreason-phase=activate\nprevious=${A}\nprevious-generation=3\nnew-generation=4\ncurrent=${A}\nprofile=${A}\nalive=no\nlog=12:00:00 a\x1e12:00:01 b\x1e\n`,
    );
    expect(s).toEqual({
      state: 'rolled-back',
      reason: 'switch-to-configuration switch exited 1',
      reasonPhase: 'activate',
      previous: A,
      previousGeneration: '3',
      newGeneration: '4',
      to: undefined,
      current: A,
      profile: A,
      alive: false,
      log: '12:00:00 a | 12:00:01 b',
    });
  });

  it('ignores an unknown state', () => {
    expect(parseAgentStatus('state=weird\n').state).toBeUndefined();
  });
});

describe('deploy steps', () => {
  const s = (over: AgentStatus): AgentStatus => over;
  it.each([
    [{ state: 'queued' }, 'wait'],
    [{ state: 'activating', alive: true }, 'wait'],
    [{ state: 'waiting-confirm', alive: true }, 'confirm'],
    [{ state: 'confirmed', alive: false }, 'confirmed'],
    [
      { state: 'rolled-back', reasonPhase: 'confirm', reason: 'no confirmation within 30 seconds' },
      'rolled-back',
    ],
    [{ state: 'rollback-failed' }, 'failed'],
    [{ state: 'busy', reason: 'another run' }, 'failed'],
    [{ state: 'activating', alive: false }, 'failed'],
    [{}, 'failed'],
  ] as [AgentStatus, string][])('%j → %s', (status, kind) => {
    expect(deployStep(s(status)).kind).toBe(kind);
  });

  it('carries the phase and reason of a rollback the target did by itself', () => {
    expect(
      deployStep({
        state: 'rolled-back',
        reasonPhase: 'confirm',
        reason: 'no confirmation within 3 seconds',
      }),
    ).toEqual({
      kind: 'rolled-back',
      phase: 'confirm',
      error: 'no confirmation within 3 seconds',
    });
    expect(deployStep({ state: 'rollback-failed', reason: 'x exited 1', log: 'boom' })).toEqual({
      kind: 'failed',
      phase: 'rollback',
      error: 'rollback failed after: x exited 1; log: boom',
    });
    expect(deployStep({ state: 'activating', alive: false })).toMatchObject({
      kind: 'failed',
      phase: 'activate',
      error: 'the deploy agent died in state activating',
    });
  });

  it('follows a rollback run to its end', () => {
    expect(rollbackStep({ state: 'queued' }).kind).toBe('wait');
    expect(rollbackStep({ state: 'confirmed' }).kind).toBe('wait');
    expect(rollbackStep({ state: 'rolling-back', alive: true }).kind).toBe('wait');
    expect(rollbackStep({ state: 'rolled-back' }).kind).toBe('done');
    expect(rollbackStep({ state: 'rollback-failed', reason: 'no older generation' })).toEqual({
      kind: 'failed',
      error: 'no older generation',
    });
    expect(rollbackStep({ state: 'rolling-back', alive: false }).kind).toBe('failed');
    expect(rollbackStep({}).kind).toBe('failed');
  });
});

describe('rollback verification', () => {
  it('wants the previous system running (not for boot) and in the profile (not for test)', () => {
    expect(rollbackProblem('switch', A, { current: A, profile: A, systemd: false })).toBeUndefined();
    expect(rollbackProblem('switch', A, { current: B, profile: A, systemd: false })).toMatch(
      /running system is .*bbb/,
    );
    expect(rollbackProblem('switch', A, { current: A, profile: B, systemd: false })).toMatch(
      /profile points to .*bbb/,
    );
    expect(rollbackProblem('test', A, { current: A, profile: B, systemd: false })).toBeUndefined();
    expect(rollbackProblem('boot', A, { current: B, profile: A, systemd: false })).toBeUndefined();
    expect(rollbackProblem('boot', A, { current: A, profile: B, systemd: false })).toBeDefined();
  });
});

describe('systemd health', () => {
  it('is healthy when running with no failed units', () => {
    expect(systemdVerdict('running\n---\n')).toEqual({ kind: 'healthy' });
  });
  it('waits while the system starts', () => {
    expect(systemdVerdict('starting\n---\n')).toEqual({ kind: 'starting' });
  });
  it('names the failed units of a degraded system', () => {
    expect(
      systemdVerdict(
        'degraded\n---\nvllm.service loaded failed failed vLLM\nlitellm.service loaded failed failed LiteLLM\n',
      ),
    ).toEqual({ kind: 'unhealthy', error: 'failed units: vllm.service, litellm.service' });
  });
  it('reports any other state', () => {
    expect(systemdVerdict('maintenance\n---\n')).toEqual({
      kind: 'unhealthy',
      error: 'systemctl is-system-running says maintenance',
    });
  });
});
