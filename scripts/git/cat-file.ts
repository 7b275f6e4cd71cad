// One long-lived `git cat-file --batch-command --buffer` serving every object read of a run:
// the policy file, blob sizes and blob contents, without a process per object.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { GitError } from './exec.js';

export type ObjectInfo = { oid: string; type: string; size: number } | undefined;
export type ObjectContents = { oid: string; type: string; size: number; data: Buffer } | undefined;

interface Pending {
  kind: 'info' | 'contents';
  resolve: (v: ObjectContents) => void;
  reject: (e: Error) => void;
}

export class CatFile {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes needed before the head request can complete; avoids re-concatenating big blobs. */
  private need = 0;
  private failure: Error | undefined;
  /** Requests not yet written (sent by flush). */
  private outgoing: string[] = [];
  private stderr = '';

  constructor(cwd: string, env: NodeJS.ProcessEnv = process.env) {
    const args = ['cat-file', '--batch-command', '--buffer'];
    this.child = spawn('git', args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (b: Buffer) => this.onData(b));
    this.child.stderr.on('data', (b: Buffer) => {
      this.stderr += b.toString('utf8');
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const p of this.queue.splice(0)) p.reject(e);
    };
    this.child.on('error', (e) => fail(new GitError(args, null, `cannot run git: ${e.message}`)));
    this.child.on('close', (code) => {
      if (this.queue.length) fail(new GitError(args, code, this.stderr || 'exited early'));
    });
    this.child.stdin.on('error', () => {});
  }

  private readonly infos = new Map<string, Promise<ObjectInfo>>();

  /**
   * Type and size of an object expression (`<oid>`, `<rev>:<path>`); undefined when missing.
   * Remembered, so callers can ask early (prefetch) and again later without a round trip.
   */
  info(expr: string): Promise<ObjectInfo> {
    let p = this.infos.get(expr);
    if (!p) {
      p = this.request('info', expr);
      this.infos.set(expr, p);
    }
    return p;
  }

  contents(expr: string): Promise<ObjectContents> {
    return this.request('contents', expr);
  }

  /** Sends the buffered requests; answers arrive in order. */
  flush(): void {
    if (this.failure) return;
    // One write per round trip: with --buffer git reads nothing before `flush` anyway, and a
    // write per request costs more than git's answer for thousands of small blobs.
    this.outgoing.push('flush\n');
    this.child.stdin.write(this.outgoing.join(''));
    this.outgoing = [];
  }

  close(): void {
    this.child.stdin.end();
  }

  private request(kind: 'info' | 'contents', expr: string): Promise<ObjectContents> {
    if (/[\n\r]/.test(expr)) return Promise.resolve(undefined); // not expressible in the protocol
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.queue.push({ kind, resolve, reject });
      // A request nobody flushes would wait forever: send whatever is still buffered once the
      // current synchronous batch is done (callers flush earlier themselves to batch more).
      if (this.outgoing.length === 0) queueMicrotask(() => this.outgoing.length && this.flush());
      this.outgoing.push(`${kind} ${expr}\n`);
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length < this.need) return;
    this.buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.length);
    this.need = 0;
    this.parse();
    this.chunks = this.buf.length ? [this.buf] : [];
    this.length = this.buf.length;
  }

  private parse(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString('utf8');
      const m = /^([0-9a-f]+) (\S+) (\d+)$/.exec(header);
      if (!m) {
        // `<expr> missing` or `<expr> ambiguous`
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift();
        head.resolve(undefined);
        continue;
      }
      const size = Number(m[3]);
      if (head.kind === 'info') {
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift();
        head.resolve({ oid: m[1]!, type: m[2]!, size, data: Buffer.alloc(0) });
        continue;
      }
      if (this.buf.length < nl + 1 + size + 1) {
        this.need = nl + 1 + size + 1;
        return;
      }
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift();
      head.resolve({ oid: m[1]!, type: m[2]!, size, data });
    }
  }
}
