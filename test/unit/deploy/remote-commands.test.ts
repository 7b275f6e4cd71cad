// The shell snippets run for real under /bin/sh against a local directory (no ssh needed to
// check what they print).
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
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
import { WAKE_FN } from '../../../scripts/deploy/shell-wait.js';

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

  it('status prints the run files, the live readings, whether the agent lives and, after a failure, its log', () => {
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
    });
    // The log's tail comes only where it explains something: a failure, or a dead agent.
    expect(parseAgentStatus(sh(statusCommand(t, dir))).log).toBeUndefined();
    writeFileSync(join(dir, 'state'), 'rolled-back\n');
    expect(parseAgentStatus(sh(statusCommand(t, dir))).log).toBe('one | two');
    writeFileSync(join(dir, 'state'), 'activating\n');
    writeFileSync(join(dir, 'pid'), '999999999\n');
    expect(parseAgentStatus(sh(statusCommand(t, dir)))).toMatchObject({ alive: false, log: 'one | two' });
  });

  it('confirm writes the confirm file and reports the status after a bounded wait', () => {
    const { root, t } = fakeTarget();
    const dir = join(root, 'state', 'run2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'state'), 'waiting-confirm\n');
    const started = Date.now();
    // The wait counts whole seconds: 2 ticks of one second.
    expect(parseAgentStatus(sh(confirmCommand(t, dir, 2))).state).toBe('waiting-confirm');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(sh(`test -f ${dir}/confirm && echo yes`)).toBe('yes\n');
    expect(readdirSync(dir).filter((f) => f.startsWith('wait.'))).toEqual([]);
  });

  describe('a long poll', () => {
    const waitingRun = () => {
      const { root, t } = fakeTarget();
      const dir = join(root, 'state', 'run3');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'state'), 'activating\n');
      return { t, dir };
    };
    const poll = (cmd: string) =>
      new Promise<{ out: string; ms: number }>((resolve, reject) => {
        const started = Date.now();
        execFile('/bin/sh', ['-c', cmd], (err, out) =>
          err ? reject(err) : resolve({ out, ms: Date.now() - started }),
        );
      });
    const wait = { whileStates: ['activating'], maxWaitSeconds: 20 };

    it('returns as soon as the agent changes the state and wakes it', async () => {
      const { t, dir } = waitingRun();
      const polled = poll(statusCommand(t, dir, wait));
      await new Promise((r) => setTimeout(r, 300));
      // What the agent's `put state` does: rename into place, then wake the waiters.
      sh(
        `d=${dir}\n${WAKE_FN}\nprintf 'waiting-confirm\\n' >"$d/state.tmp" && mv -f "$d/state.tmp" "$d/state" && wake`,
      );
      const { out, ms } = await polled;
      expect(parseAgentStatus(out).state).toBe('waiting-confirm');
      expect(ms).toBeLessThan(5000);
      expect(readdirSync(dir).filter((f) => f.startsWith('wait.'))).toEqual([]);
    });

    it('notices a change made without a wake-up within about a second', async () => {
      const { t, dir } = waitingRun();
      const polled = poll(statusCommand(t, dir, wait));
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(join(dir, 'state'), 'confirmed\n');
      const { out, ms } = await polled;
      expect(parseAgentStatus(out).state).toBe('confirmed');
      expect(ms).toBeLessThan(8000);
    });

    it('ends after its time with the state unchanged and leaves nothing behind', async () => {
      const { t, dir } = waitingRun();
      const { out, ms } = await poll(statusCommand(t, dir, { ...wait, maxWaitSeconds: 1 }));
      expect(parseAgentStatus(out).state).toBe('activating');
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(readdirSync(dir).filter((f) => f.startsWith('wait.'))).toEqual([]);
    });

    it('polls where there is no mkfifo, and still sees the change and its end', async () => {
      const { t, dir } = waitingRun();
      // Every program the status script may run, but mkfifo.
      const bin = mkdtempSync(join(tmpdir(), 'tappaas-nofifo-'));
      for (const p of ['sh', 'sleep', 'date', 'readlink', 'tail', 'tr', 'rm', 'cat'])
        symlinkSync(execFileSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).trim(), join(bin, p));
      const env = { ...process.env, PATH: bin };
      const polledWith = (cmd: string) =>
        new Promise<{ out: string; ms: number }>((resolve, reject) => {
          const started = Date.now();
          execFile('/bin/sh', ['-c', cmd], { env }, (err, out) =>
            err ? reject(err) : resolve({ out, ms: Date.now() - started }),
          );
        });
      const ended = await polledWith(statusCommand(t, dir, { ...wait, maxWaitSeconds: 1 }));
      expect(parseAgentStatus(ended.out).state).toBe('activating');
      expect(ended.ms).toBeGreaterThanOrEqual(900);
      const polled = polledWith(statusCommand(t, dir, wait));
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(join(dir, 'state'), 'confirmed\n');
      const changed = await polled;
      expect(parseAgentStatus(changed.out).state).toBe('confirmed');
      expect(changed.ms).toBeLessThan(8000);
      expect(readdirSync(dir).filter((f) => f.startsWith('wait.'))).toEqual([]);
    });
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
