// The pieces of the push protocol `tappaas hook verify` speaks: pkt-lines, the advertisement,
// the report, and a one-object pack that the real git accepts (sha1 and sha256).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  onePack,
  parseAdvertisement,
  parseReport,
  pktLine,
  readPktSection,
} from '../../../scripts/git/receive-pack.js';
import { judgeVerify, parseVerifyLine, verifyLine } from '../../../scripts/hook/verify.js';

describe('pkt-lines', () => {
  it('frames data with its length and reads a section up to the flush', () => {
    expect(pktLine('a\n').toString()).toBe('0006a\n');
    const buf = Buffer.concat([pktLine('one\n'), pktLine('two'), Buffer.from('0000rest')]);
    const section = readPktSection(buf);
    expect(section?.lines.map(String)).toEqual(['one\n', 'two']);
    expect(buf.subarray(section!.end).toString()).toBe('rest');
    expect(readPktSection(buf.subarray(0, 9))).toBeUndefined();
  });

  it('reads the advertisement of an empty repository and of one with refs', () => {
    const Z = '0'.repeat(40);
    const empty = parseAdvertisement([
      Buffer.from(`${Z} capabilities^{}\0report-status object-format=sha1\n`),
    ]);
    expect(empty.refs.size).toBe(0);
    expect(empty.objectFormat).toBe('sha1');
    const full = parseAdvertisement([
      Buffer.from(`${'a'.repeat(64)} refs/heads/main\0report-status object-format=sha256 agent=git/2\n`),
      Buffer.from(`${'b'.repeat(64)} refs/tags/v1\n`),
    ]);
    expect([...full.refs]).toEqual([
      ['refs/heads/main', 'a'.repeat(64)],
      ['refs/tags/v1', 'b'.repeat(64)],
    ]);
    expect(full.objectFormat).toBe('sha256');
    expect(full.capabilities.has('report-status')).toBe(true);
  });

  it('reads report-status', () => {
    const report = parseReport([
      Buffer.from('unpack ok\n'),
      Buffer.from('ng refs/heads/x pre-receive hook declined\n'),
      Buffer.from('ok refs/heads/y\n'),
    ]);
    expect(report.unpack).toBe('ok');
    expect([...report.refs]).toEqual([
      ['refs/heads/x', 'pre-receive hook declined'],
      ['refs/heads/y', 'ok'],
    ]);
  });
});

describe('onePack', () => {
  it.each(['sha1', 'sha256'] as const)(
    'makes a pack git indexes, with the object id git computes (%s)',
    (format) => {
      const dir = mkdtempSync(join(tmpdir(), 'tappaas-pack-'));
      try {
        execFileSync('git', ['init', '-q', '--bare', `--object-format=${format}`, dir]);
        for (const [type, content] of [
          ['tree', Buffer.alloc(0)],
          ['blob', Buffer.from('x'.repeat(300))],
        ] as const) {
          const { oid, pack } = onePack(type, content, format);
          const hashed = execFileSync('git', ['hash-object', '-t', type, '--stdin'], {
            cwd: dir,
            input: content,
          })
            .toString()
            .trim();
          expect(oid).toBe(hashed);
          execFileSync('git', ['index-pack', '--stdin'], { cwd: dir, input: pack });
          expect(execFileSync('git', ['cat-file', '-t', oid], { cwd: dir }).toString().trim()).toBe(type);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('judgeVerify', () => {
  const nonce = 'abc123';
  const ref = `refs/heads/tappaas-verify/${nonce}`;
  const file = (
    path: string,
    more: Partial<{ exists: boolean; executable: boolean; ours: boolean; dispatcher: boolean }> = {},
  ) => ({
    path,
    exists: true,
    executable: true,
    ours: false,
    dispatcher: false,
    ...more,
  });
  const files = {
    dir: '/r/hooks',
    preReceive: file('/r/hooks/pre-receive', { ours: true }),
    gitea: file('/r/hooks/pre-receive.d/tappaas', { exists: false }),
  };
  const run = (stderr: string, result: string) => ({
    advertisement: undefined,
    report: { unpack: 'ok', refs: new Map([[ref, result]]) },
    stderr,
    code: 0,
    timedOut: false,
  });
  const judge = (stderr: string, result: string, f = files) =>
    judgeVerify({ gitDir: '/r', nonce, ref, run: run(stderr, result), files: f }).state;

  it('is active only when the gate said so and git says the hook declined', () => {
    const line = verifyLine(nonce, 'rejected', undefined);
    expect(parseVerifyLine(line, nonce)).toEqual({ verdict: 'rejected' });
    expect(judge(`tappaas: REJECTED ${ref}\n${line}`, 'pre-receive hook declined')).toBe('active');
    // Another run's line proves nothing.
    expect(judge(verifyLine('ffffff', 'rejected', undefined), 'pre-receive hook declined')).toBe('not-run');
    // A wrapper that ignored the gate's exit code: git went on.
    expect(judge(line, 'failed to update ref')).toBe('broken');
  });

  it('reports break glass, internal errors and a gate that did not run', () => {
    expect(judge(verifyLine(nonce, 'rejected', 'INC-7'), 'pre-receive hook declined')).toBe('open');
    expect(parseVerifyLine(verifyLine(nonce, 'rejected', 'INC-7'), nonce)).toEqual({
      verdict: 'rejected',
      breakGlass: 'INC-7',
    });
    expect(judge(verifyLine(nonce, 'internal-error', undefined), 'pre-receive hook declined')).toBe('broken');
    expect(judge('', 'failed to update ref')).toBe('not-run');
    expect(judge('hook says no\n', 'pre-receive hook declined')).toBe('not-run');
  });
});
