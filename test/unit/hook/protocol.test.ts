import { describe, expect, it } from 'vitest';
import { parseUpdates } from '../../../scripts/hook/protocol.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('parseUpdates', () => {
  it('parses update lines and skips blank ones', () => {
    const r = parseUpdates(Buffer.from(`${Z} ${A} refs/heads/main\n\n${A} ${B} refs/tags/v1\n`));
    expect(r.problems).toEqual([]);
    expect(r.updates).toEqual([
      { oldOid: Z, newOid: A, ref: 'refs/heads/main' },
      { oldOid: A, newOid: B, ref: 'refs/tags/v1' },
    ]);
  });

  it('accepts SHA-256 ids and a last line without newline', () => {
    const r = parseUpdates(Buffer.from(`${'0'.repeat(64)} ${'c'.repeat(64)} refs/heads/x`));
    expect(r.updates).toHaveLength(1);
  });

  it.each([
    ['short line', `${A} refs/heads/main`, 'expected "<old-oid> <new-oid> <ref>"'],
    [
      'bad oid',
      `${A.slice(1)}g ${B} refs/heads/main`,
      'old and new object ids must be 40 or 64 lower-case hex digits',
    ],
    [
      'upper-case oid',
      `${A.toUpperCase()} ${B} refs/heads/main`,
      'old and new object ids must be 40 or 64 lower-case hex digits',
    ],
    [
      'mixed lengths',
      `${A} ${'b'.repeat(64)} refs/heads/main`,
      'old and new object ids use different hash lengths',
    ],
    ['both zero', `${Z} ${Z} refs/heads/main`, 'old and new object ids are both zero'],
    ['bad ref', `${A} ${B} refs/heads/a..b`, 'ref name "refs/heads/a..b" contains ".."'],
    ['not under refs/', `${A} ${B} HEAD`, 'ref name "HEAD" does not start with refs/'],
  ])('%s', (_name, line, message) => {
    const r = parseUpdates(Buffer.from(`${line}\n`));
    expect(r.updates).toEqual([]);
    expect(r.problems).toEqual([{ line: 1, text: line, message }]);
  });

  it('reports a ref name that is not UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${A} ${B} refs/heads/`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\n'),
    ]);
    expect(parseUpdates(bytes).problems[0]?.message).toBe('the ref name is not valid UTF-8');
  });
});

describe('prePushToPreReceive', () => {
  it('turns pre-push lines into pre-receive lines', async () => {
    const { prePushToPreReceive } = await import('../../../scripts/hook/pre-push.js');
    expect(
      prePushToPreReceive(`refs/heads/x ${A} refs/heads/main ${B}\n(delete) ${Z} refs/heads/old ${A}\n`),
    ).toBe(`${B} ${A} refs/heads/main\n${A} ${Z} refs/heads/old\n`);
    expect(prePushToPreReceive('\n')).toBe('');
  });
});
