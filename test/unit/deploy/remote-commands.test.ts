// The shell snippets run for real under /bin/sh against a local directory (no ssh needed to
// check what they print).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newRunId } from '../../../scripts/deploy/agent-client.js';
import { parseAgentStatus, parseProbe } from '../../../scripts/deploy/decide.js';
import { httpUrl } from '../../../scripts/deploy/health.js';
import {
  confirmCommand,
  launchCommand,
  probeCommand,
  runDir,
  statusCommand,
} from '../../../scripts/deploy/remote-commands.js';

const sh = (cmd: string) => execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });

function fakeTarget() {
  const root = mkdtempSync(join(tmpdir(), 'tappaas-remote-'));
  const system = join(root, 'system-a');
  mkdirSync(system);
  mkdirSync(join(root, 'profiles'));
  symlinkSync(system, join(root, 'current-system'));
  return {
    root,
    system,
    t: { currentSystem: join(root, 'current-system'), profile: join(root, 'profiles', 'system') },
  };
}

describe('remote commands', () => {
  it('probe resolves the running system and tolerates a missing profile', () => {
    const { system, t } = fakeTarget();
    expect(parseProbe(sh(probeCommand(t)))).toMatchObject({ current: system, profile: undefined });
  });

  it('status prints the run files, the live readings and whether the agent lives', () => {
    const { root, system, t } = fakeTarget();
    const dir = join(root, 'state', 'run1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'state'), 'waiting-confirm\n');
    writeFileSync(join(dir, 'previous'), `${system}\n`);
    writeFileSync(join(dir, 'pid'), `${process.pid}\n`);
    writeFileSync(join(dir, 'log'), 'one\ntwo\n');
    expect(parseAgentStatus(sh(statusCommand(t, dir)))).toMatchObject({
      state: 'waiting-confirm',
      previous: system,
      current: system,
      alive: true,
      log: 'one | two',
    });
  });

  it('confirm writes the confirm file and reports the status after a bounded wait', () => {
    const { root, t } = fakeTarget();
    const dir = join(root, 'state', 'run2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'state'), 'waiting-confirm\n');
    const started = Date.now();
    // The wait counts whole seconds of `date +%s`: 2 means more than 1 and at most 2.
    expect(parseAgentStatus(sh(confirmCommand(t, dir, 2))).state).toBe('waiting-confirm');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sh(`test -f ${dir}/confirm && echo yes`)).toBe('yes\n');
  });

  it('refuses parameter names and values that are not one plain line', () => {
    const t = { currentSystem: '/run/current-system', profile: '/nix/var/nix/profiles/system' };
    expect(() => launchCommand(t, '/d', 'deploy', 'u', { '../x': 'v' })).toThrow(/not a plain file name/);
    expect(() => launchCommand(t, '/d', 'deploy', 'u', { reason: 'a\nb' })).toThrow(/must be one line/);
  });

  it('places runs under the state dir, /run/tappaas-deploy by default', () => {
    expect(runDir({}, 'r1')).toBe('/run/tappaas-deploy/r1');
    expect(runDir({ stateDir: '/tmp/s' }, 'r1')).toBe('/tmp/s/r1');
  });

  it('makes run ids that sort by time and suit a systemd unit name', () => {
    const id = newRunId(new Date('2026-11-26T12:19:00.123Z'));
    expect(id).toMatch(/^20261126T121900Z-[0-9a-f]{6}$/);
  });

  it('brackets IPv6 addresses in health URLs', () => {
    expect(httpUrl('fd00::5', { type: 'http', port: 8000, path: '/health' })).toBe(
      'http://[fd00::5]:8000/health',
    );
    expect(httpUrl('10.0.0.5', { type: 'http', port: 4000, path: 'health/liveliness' })).toBe(
      'http://10.0.0.5:4000/health/liveliness',
    );
  });
});
