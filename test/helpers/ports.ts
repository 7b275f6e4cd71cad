// Loopback ports for test servers (sshd, HTTP): a free one, and waiting until one listens.
import { connect, createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });
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
