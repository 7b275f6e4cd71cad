import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatShard,
  parseShard,
  VERDICTS_DIR,
  VerdictCache,
  verdictNamespace,
} from '../../../scripts/hook/verdict-cache.js';

const A = `ab${'1'.repeat(38)}`;
const B = `ab${'2'.repeat(38)}`;
const C = `cd${'3'.repeat(38)}`;
let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('verdict cache', () => {
  it('keeps verdicts per namespace: another policy never meets them', () => {
    dir = mkdtempSync(join(tmpdir(), 'tappaas-verdicts-'));
    const ns = verdictNamespace({ limits: 1 });
    const other = verdictNamespace({ limits: 2 });
    expect(ns).not.toBe(other);
    const cache = new VerdictCache(dir, 'content', ns);
    cache.set(A, 'ok');
    cache.set(C, 'ok');
    expect(cache.get(A)).toBe('ok');
    cache.save();
    expect(new VerdictCache(dir, 'content', ns).get(C)).toBe('ok');
    expect(new VerdictCache(dir, 'content', other).get(C)).toBeUndefined();
    expect(new VerdictCache(dir, 'signatures', ns).get(C)).toBeUndefined();
  });

  it('merges with what another push wrote to the same shard, and drops old namespaces', () => {
    dir = mkdtempSync(join(tmpdir(), 'tappaas-verdicts-'));
    const ns = verdictNamespace('now');
    const first = new VerdictCache(dir, 'content', ns);
    const second = new VerdictCache(dir, 'content', ns);
    first.set(A, 'ok');
    second.set(B, 'ok');
    first.save();
    second.save();
    const shard = join(dir, VERDICTS_DIR, 'content', 'ab');
    expect(parseShard(readFileSync(shard, 'utf8'), ns)).toEqual(
      new Map([
        [A, 'ok'],
        [B, 'ok'],
      ]),
    );
    const old = verdictNamespace('before');
    writeFileSync(shard, `${readFileSync(shard, 'utf8')}${old} ${C} ok\nnot a line\n`);
    const third = new VerdictCache(dir, 'content', ns);
    third.set(`ab${'4'.repeat(38)}`, 'ok');
    third.save();
    expect(readFileSync(shard, 'utf8')).not.toContain(old);
  });

  it('reads and writes nothing without a repository directory (a preview)', () => {
    const cache = new VerdictCache(undefined, 'content', verdictNamespace(0));
    cache.set(A, 'ok');
    expect(cache.get(A)).toBeUndefined();
    expect(() => cache.save()).not.toThrow();
  });

  it('formats and parses shard lines, ignoring anything else', () => {
    const ns = verdictNamespace('x');
    const text = formatShard(new Map([[A, 'G']]), ns);
    expect(text).toBe(`${ns} ${A} G\n`);
    expect(parseShard(`${text}garbage\n${ns} nothex G\n`, ns)).toEqual(new Map([[A, 'G']]));
  });
});
