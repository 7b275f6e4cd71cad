// The target-side agent on its own, run exactly as the launcher runs it over SSH but through a
// local /bin/sh: the dead-man switch for `boot` (which deploy-rs cannot roll back), `test`, and
// the per-target lock. Real nix-env generations, real fixture systems.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SCRIPT } from '../../scripts/deploy/agent-script.js';
import { parseAgentStatus } from '../../scripts/deploy/decide.js';
import { launchCommand, statusCommand } from '../../scripts/deploy/remote-commands.js';
import { buildFixtureSystems } from '../helpers/fixture-systems.js';
import { freePort } from '../helpers/ssh-targets.js';

let root: string;
let v1: string;
let v2: string;
let bad: string;
let slow: string;
const t = () => ({ currentSystem: join(root, 'current-system'), profile: join(root, 'profiles', 'system') });

function launch(runId: string, mode: string, toplevel: string, timeout = 2) {
  const dir = join(root, 'state', runId);
  const cmd = launchCommand(t(), dir, 'deploy', `u-${runId}`, {
    profile: t().profile,
    current: t().currentSystem,
    toplevel,
    mode,
    timeout: String(timeout),
  });
  expect(execFileSync('/bin/sh', ['-c', cmd], { input: AGENT_SCRIPT, encoding: 'utf8' })).toBe(
    'launcher=nohup\n',
  );
  return dir;
}

const status = (dir: string) =>
  parseAgentStatus(execFileSync('/bin/sh', ['-c', statusCommand(t(), dir)], { encoding: 'utf8' }));

async function until(dir: string, states: string[], ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = status(dir);
    if (s.state && states.includes(s.state)) return s;
    if (Date.now() > end) throw new Error(`state ${s.state} after ${ms} ms; log: ${s.log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const real = (p: string) => (existsSync(p) ? realpathSync(p) : undefined);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tappaas-agent-'));
  mkdirSync(join(root, 'profiles'));
  const port = await freePort();
  const spec = (version: string, variant?: 'activation-fails' | 'slow') => ({
    root,
    httpPort: port,
    version,
    variant,
  });
  [v1, v2, bad, slow] = (await buildFixtureSystems(root, [
    spec('agent-v1'),
    spec('agent-v2'),
    spec('agent-v3', 'activation-fails'),
    spec('agent-v4', 'slow'),
  ])) as [string, string, string, string];
  execFileSync('nix-env', ['-p', t().profile, '--set', v1], { stdio: 'pipe' });
  execFileSync(join(v1, 'bin', 'switch-to-configuration'), ['switch'], { stdio: 'pipe' });
});

afterAll(() => {
  try {
    process.kill(Number(readFileSync(join(root, 'service.pid'), 'utf8')));
  } catch {
    // no service running
  }
  rmSync(root, { recursive: true, force: true });
});

describe('the target-side deploy agent', { timeout: 120_000 }, () => {
  it('rolls a boot deploy back by itself when no confirmation comes: profile and boot entry', async () => {
    const dir = launch('boot-unconfirmed', 'boot', v2, 2);
    const waiting = await until(dir, ['waiting-confirm', 'rolled-back', 'rollback-failed']);
    expect(waiting.state).toBe('waiting-confirm');
    expect(real(t().profile)).toBe(v2);
    expect(real(join(root, 'boot-entry'))).toBe(v2);
    expect(real(t().currentSystem)).toBe(v1); // boot leaves the running system alone
    const done = await until(dir, ['rolled-back', 'rollback-failed']);
    expect(done).toMatchObject({
      state: 'rolled-back',
      reason: 'no confirmation within 2 seconds',
      reasonPhase: 'confirm',
    });
    expect(real(t().profile)).toBe(v1);
    expect(real(join(root, 'boot-entry'))).toBe(v1);
    // The unconfirmed generation is gone, so a later `tappaas rollback` cannot land on it.
    const gens = execFileSync('nix-env', ['-p', t().profile, '--list-generations'], { encoding: 'utf8' });
    expect(gens.trim().split('\n')).toHaveLength(1);
  });

  it('keeps a confirmed boot deploy', async () => {
    const dir = launch('boot-confirmed', 'boot', v2, 20);
    await until(dir, ['waiting-confirm']);
    execFileSync('touch', [join(dir, 'confirm')]);
    expect((await until(dir, ['confirmed', 'rolled-back'])).state).toBe('confirmed');
    expect(real(t().profile)).toBe(v2);
    expect(real(t().currentSystem)).toBe(v1);
    // back to v1 for the next tests
    const back = launch('switch-v1', 'switch', v1, 20);
    await until(back, ['waiting-confirm']);
    execFileSync('touch', [join(back, 'confirm')]);
    await until(back, ['confirmed']);
  });

  it('rolls a failed test-mode activation back without touching the profile', async () => {
    const linkBefore = execFileSync('readlink', [t().profile], { encoding: 'utf8' });
    const dir = launch('test-fails', 'test', bad, 20);
    const done = await until(dir, ['rolled-back', 'rollback-failed']);
    expect(done).toMatchObject({
      state: 'rolled-back',
      reasonPhase: 'activate',
      reason: 'switch-to-configuration test exited 1',
    });
    expect(real(t().currentSystem)).toBe(v1);
    expect(execFileSync('readlink', [t().profile], { encoding: 'utf8' })).toBe(linkBefore);
  });

  it('refuses a second run on the same target while one is active', async () => {
    const first = launch('slow-1', 'switch', slow, 20);
    await until(first, ['activating']);
    const second = launch('slow-2', 'switch', v2, 20);
    const refused = await until(second, ['busy']);
    expect(refused.reason).toMatch(/another tappaas deploy run holds .*\/state\/lock/);
    await until(first, ['waiting-confirm']);
    execFileSync('touch', [join(first, 'confirm')]);
    expect((await until(first, ['confirmed'])).state).toBe('confirmed');
    expect(existsSync(join(root, 'state', 'lock'))).toBe(false);
  });
});
