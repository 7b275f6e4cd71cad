import { describe, expect, it } from 'vitest';
import { logArgs, parseRawLog } from '../../../scripts/git/log.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const BLOB = 'd'.repeat(40);
const Z = '0'.repeat(40);

describe('logArgs', () => {
  it('pins the config and flags the parser relies on, before any revision', () => {
    const args = logArgs([`${A}..${B}`], { boundary: true, parents: true });
    expect(args[0]).toBe('--no-replace-objects');
    for (const c of ['log.showRoot=true', 'diff.renames=false', 'i18n.logOutputEncoding=UTF-8']) {
      expect(args[args.indexOf(c) - 1]).toBe('-c');
    }
    for (const f of ['--root', '--no-renames', '--no-ext-diff', '--no-textconv', '--raw', '--boundary']) {
      expect(args).toContain(f);
    }
    expect(args).toContain('--format=%H%x01%m%x01%P');
    expect(args.slice(-2)).toEqual([`${A}..${B}`, '--']);
  });

  it('asks for signature states with the allowed signers, and reads revisions from stdin', () => {
    const args = logArgs([], { stdin: true, noWalk: true, noChanges: true, allowedSigners: '/x/signers' });
    expect(args).toContain('gpg.ssh.allowedSignersFile=/x/signers');
    expect(args).toContain('--format=%H%x01%m%x01%x01%G?');
    expect(args).toContain('--stdin');
    expect(args).toContain('--no-walk=unsorted');
    expect(args).not.toContain('--raw');
  });
});

describe('parseRawLog', () => {
  it('reads commits, parents, boundary marks, signatures and changes', () => {
    const out = [
      `${C}\x01>\x01${A} ${B}\x01G`,
      `\n:100644 100644 ${Z} ${BLOB} M`,
      'dir/ä file.nix',
      `:100644 000000 ${BLOB} ${Z} D`,
      'gone.txt',
      `\n${A}\x01-\x01\x01N`,
      '',
    ].join('\0');
    expect(parseRawLog(out)).toEqual([
      {
        oid: C,
        boundary: false,
        parents: [A, B],
        signature: 'G',
        changes: [
          { path: 'dir/ä file.nix', oid: BLOB, mode: '100644', status: 'M' },
          { path: 'gone.txt', oid: Z, mode: '000000', status: 'D' },
        ],
      },
      { oid: A, boundary: true, signature: 'N', changes: [] },
    ]);
  });
});
