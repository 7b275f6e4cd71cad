// The per-host deploy lock against a real loopback sshd: a second deployer is refused while
// the first holds it (and told who holds it); release or the death of the holder's SSH
// session frees it; an unreachable target is an error, not "busy". The lock session also reads
// the host and serves as the deploy's shared connection (ControlMaster) while it is held.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireHostLock,
  LockBusyError,
  LockError,
  lockCommand,
  lockFileOf,
  sshArgv,
} from '../../scripts/deploy/fleet-lock.js';
import type { DeployTarget } from '../../scripts/deploy/types.js';
import { sshRun } from '../../scripts/ssh/run.js';
import { freePort, startLoopbackSshd } from '../helpers/ports.js';

let dir: string;
let sshd: ChildProcess | undefined;
let port = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tappaas-lock-'));
  for (const name of ['host', 'client'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
  ({ port, sshd } = await startLoopbackSshd(dir));
});

afterAll(() => {
  sshd?.kill();
  rmSync(dir, { recursive: true, force: true });
});

function target(name: string, p = port): DeployTarget {
  return {
    name,
    address: '127.0.0.1',
    sshUser: 'root',
    sshPort: p,
    sshOptions: [
      `IdentityFile=${join(dir, 'client')}`,
      'IdentitiesOnly=yes',
      'StrictHostKeyChecking=no',
      'UserKnownHostsFile=/dev/null',
      'LogLevel=ERROR',
    ],
    health: [],
    profile: join(dir, name, 'profiles', 'system'),
    currentSystem: join(dir, name, 'current-system'),
  };
}

describe('per-host deploy lock on the target', () => {
  it('refuses a second holder, names the first, and is free again after release', async () => {
    const t = target('web1');
    const first = await acquireHostLock(t, 'run one');
    expect(existsSync(lockFileOf(t))).toBe(true);
    const second = await acquireHostLock(t, 'run two').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(LockBusyError);
    expect((second as Error).message).toContain('web1 is locked by another deploy (run one)');
    // Another host's lock is independent.
    const other = await acquireHostLock(target('web2'), 'run two');
    await other.release();
    await first.release();
    const again = await acquireHostLock(t, 'run three');
    await again.release();
  });

  it('is freed when the holder dies without releasing (its SSH session closes)', async () => {
    const t = target('web3');
    // The holder's own ssh client, killed hard as when the deployer dies: no release runs.
    const [cmd, ...args] = sshArgv(t, lockCommand(t, 'doomed'));
    const holder = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    await new Promise<void>((res, rej) => {
      holder.stdout.on('data', (b: Buffer) => b.toString().includes('locked') && res());
      holder.on('exit', (code) => rej(new Error(`holder exited with ${code}`)));
    });
    await expect(acquireHostLock(t, 'second')).rejects.toBeInstanceOf(LockBusyError);
    holder.removeAllListeners('exit');
    holder.kill('SIGKILL');
    let lock: Awaited<ReturnType<typeof acquireHostLock>> | undefined;
    for (let i = 0; i < 50 && !lock; i++) {
      lock = await acquireHostLock(t, 'second').catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return undefined;
      });
    }
    expect(lock).toBeDefined();
    await lock!.release();
  });

  it('reads the host under the lock and lends its connection until released', async () => {
    const t = target('web4');
    mkdirSync(join(dir, 'web4'), { recursive: true });
    execFileSync('ln', ['-sfn', '/bin', t.currentSystem]);
    const lock = await acquireHostLock(t, 'mux');
    expect(lock.facts).toEqual({ current: '/usr/bin', systemd: expect.any(Boolean) });
    expect(lock.controlPath && existsSync(lock.controlPath)).toBe(true);
    // A session over the master, and a fresh one beside it.
    const shared = await sshRun(t, 'echo shared', { controlPath: lock.controlPath! });
    expect(shared).toMatchObject({ code: 0, stdout: 'shared\n' });
    const fresh = await sshRun(t, 'echo fresh', { controlPath: 'none' });
    expect(fresh).toMatchObject({ code: 0, stdout: 'fresh\n' });
    await lock.release();
    // The master and its private directory are gone with the lock.
    expect(existsSync(join(lock.controlPath!, '..'))).toBe(false);
    // A session naming the gone master connects afresh by itself.
    const after = await sshRun(t, 'echo after', { controlPath: lock.controlPath! });
    expect(after).toMatchObject({ code: 0, stdout: 'after\n' });
  });

  it('reports an unreachable target as a lock error, not as busy', async () => {
    const err = await acquireHostLock(target('gone', await freePort())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockError);
    expect((err as Error).message).toMatch(/^gone: cannot take the deploy lock: .*refused/);
  });
});
