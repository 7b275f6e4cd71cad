// A push spoken straight to `git receive-pack <repository>` on this machine (git's pack
// protocol, version 0, as `git push` speaks it over SSH): how `tappaas hook verify` sends
// exactly the update it means, one that stock `git push` would refuse to send. Pure pieces
// (pkt-lines, a one-blob pack, the report) and one small runner.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

export type ObjectFormat = 'sha1' | 'sha256';

export interface Advertisement {
  /** Ref name to object id, as receive-pack listed them. */
  refs: Map<string, string>;
  capabilities: Set<string>;
  objectFormat: ObjectFormat;
}

export interface PushReport {
  /** `ok`, or why the pack was not unpacked. */
  unpack: string;
  /** Ref name to `ok` or the reason it was refused (`pre-receive hook declined`, …). */
  refs: Map<string, string>;
}

export interface ReceivePackRun {
  advertisement: Advertisement | undefined;
  report: PushReport | undefined;
  /** Everything receive-pack and its hooks wrote to stderr (hook output, without side-band). */
  stderr: string;
  code: number | null;
  timedOut: boolean;
}

/** One pkt-line: four hex digits of length (themselves included), then the data. */
export function pktLine(data: string | Buffer): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0'), 'latin1'), body]);
}

export const FLUSH = Buffer.from('0000', 'latin1');

/**
 * The pkt-lines at the start of `buf` up to the first flush: undefined while incomplete;
 * `end` is the offset after the flush.
 */
export function readPktSection(buf: Buffer, from = 0): { lines: Buffer[]; end: number } | undefined {
  const lines: Buffer[] = [];
  let at = from;
  for (;;) {
    if (at + 4 > buf.length) return undefined;
    const len = Number.parseInt(buf.toString('latin1', at, at + 4), 16);
    if (Number.isNaN(len) || (len > 0 && len < 4)) throw new Error(`bad pkt-line length at byte ${at}`);
    if (len === 0) return { lines, end: at + 4 };
    if (at + len > buf.length) return undefined;
    lines.push(buf.subarray(at + 4, at + len));
    at += len;
  }
}

/** receive-pack's first words: its refs, the capabilities after the first one's NUL, the hash. */
export function parseAdvertisement(lines: readonly Buffer[]): Advertisement {
  const refs = new Map<string, string>();
  const capabilities = new Set<string>();
  for (const [i, raw] of lines.entries()) {
    let line = raw.toString('utf8').replace(/\n$/, '');
    if (i === 0) {
      const nul = line.indexOf('\0');
      if (nul !== -1) {
        for (const c of line.slice(nul + 1).split(' ')) if (c) capabilities.add(c);
        line = line.slice(0, nul);
      }
    }
    const sp = line.indexOf(' ');
    const name = line.slice(sp + 1);
    if (sp > 0 && name !== 'capabilities^{}') refs.set(name, line.slice(0, sp));
  }
  const objectFormat = capabilities.has('object-format=sha256') ? 'sha256' : 'sha1';
  return { refs, capabilities, objectFormat };
}

/** report-status: `unpack <status>`, then `ok <ref>` or `ng <ref> <reason>` per command. */
export function parseReport(lines: readonly Buffer[]): PushReport {
  const report: PushReport = { unpack: 'no report', refs: new Map() };
  for (const raw of lines) {
    const line = raw.toString('utf8').replace(/\n$/, '');
    if (line.startsWith('unpack ')) report.unpack = line.slice('unpack '.length);
    else if (line.startsWith('ok ')) report.refs.set(line.slice(3), 'ok');
    else if (line.startsWith('ng ')) {
      const rest = line.slice(3);
      const sp = rest.indexOf(' ');
      report.refs.set(sp === -1 ? rest : rest.slice(0, sp), sp === -1 ? 'refused' : rest.slice(sp + 1));
    }
  }
  return report;
}

const PACK_TYPES = { commit: 1, tree: 2, blob: 3 } as const;

/** A pack (version 2) holding one object, and the object's id, in the repository's hash. */
export function onePack(
  type: keyof typeof PACK_TYPES,
  content: Buffer,
  format: ObjectFormat,
): { oid: string; pack: Buffer } {
  const oid = createHash(format).update(`${type} ${content.length}\0`).update(content).digest('hex');
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(1, 8);
  // Object header: the type and the size's low 4 bits, then 7 bits a byte, low first.
  const typeAndSize: number[] = [];
  let size = content.length;
  let byte = (PACK_TYPES[type] << 4) | (size & 0x0f);
  size = Math.floor(size / 16);
  while (size > 0) {
    typeAndSize.push(byte | 0x80);
    byte = size & 0x7f;
    size = Math.floor(size / 128);
  }
  typeAndSize.push(byte);
  const body = Buffer.concat([header, Buffer.from(typeAndSize), deflateSync(content)]);
  return { oid, pack: Buffer.concat([body, createHash(format).update(body).digest()]) };
}

export interface PushRequest {
  /** `<old-oid> <new-oid> <ref>` lines. */
  commands: string[];
  capabilities: string[];
  pack: Buffer;
}

/**
 * Runs `git receive-pack <gitDir>` and pushes what `build` makes of its advertisement, asking
 * for report-status and no side-band (so hook output arrives on stderr as it is written).
 */
export function receivePack(
  gitDir: string,
  opts: { env: NodeJS.ProcessEnv; timeoutMs: number; gitConfig?: string[] },
  build: (adv: Advertisement) => PushRequest,
): Promise<ReceivePackRun> {
  const config = (opts.gitConfig ?? []).flatMap((c) => ['-c', c]);
  const child = spawn('git', [...config, 'receive-pack', gitDir], { env: opts.env, stdio: 'pipe' });
  let out = Buffer.alloc(0);
  let stderr = '';
  let advertisement: Advertisement | undefined;
  let reportFrom = -1;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs);
  child.stdin.on('error', () => {}); // receive-pack may stop reading early; its report says why
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdout.on('data', (b: Buffer) => {
    out = Buffer.concat([out, b]);
    if (advertisement) return;
    const section = readPktSection(out);
    if (!section) return;
    advertisement = parseAdvertisement(section.lines);
    reportFrom = section.end;
    const req = build(advertisement);
    const [first = '', ...rest] = req.commands;
    child.stdin.write(pktLine(`${first}\0${req.capabilities.join(' ')}\n`));
    for (const c of rest) child.stdin.write(pktLine(`${c}\n`));
    child.stdin.write(FLUSH);
    child.stdin.end(req.pack);
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let report: PushReport | undefined;
      try {
        const section = reportFrom >= 0 ? readPktSection(out, reportFrom) : undefined;
        if (section) report = parseReport(section.lines);
      } catch {
        // a garbled report counts as none
      }
      resolve({ advertisement, report, stderr, code, timedOut });
    });
  });
}
