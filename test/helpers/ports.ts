// Loopback test servers: a free port, waiting until one listens, and a real sshd.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** The first port of the kernel's ephemeral range (outgoing connections take theirs there). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/** Ports this process handed out: a port is often bound long after it was chosen. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. Chosen below the ephemeral range, where
 * no outgoing connection (an ssh client, a health check) can take it before its server binds
 * it, and never one this process handed out before (a fixture service's port stays unbound
 * until its first activation).
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let tries = 0; tries < 200; tries++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port on 127.0.0.1 between 10000 and ${low}`);
}

/** Whether something accepts connections on 127.0.0.1:port now. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const c = connect(port, '127.0.0.1', () => {
      c.end();
      res(true);
    });
    c.on('error', () => res(false));
  });
}

/** Waits (up to 10 s) until a server listens on 127.0.0.1:port. */
export async function waitForPort(port: number, what = 'sshd'): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

/**
 * A real sshd on 127.0.0.1 for tests, configured from `dir`: host key `dir/host`, keys in
 * `dir/authorized_keys`, public-key login only, as root. Resolves once it listens.
 */
export async function startLoopbackSshd(dir: string): Promise<{ port: number; sshd: ChildProcess }> {
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  await waitForPort(port);
  return { port, sshd };
}
