// What the pusher reads and what the server logs: at most MAX_SHOWN_PER_REF problems a ref
// (errors first) and a count of the rest; internal errors in one line without server paths;
// break-glass log lines that name the pusher and the refs.
import { describe, expect, it } from 'vitest';
import {
  breakGlassLogLine,
  formatReport,
  MAX_SHOWN_PER_REF,
  publicErrorMessage,
} from '../../../scripts/hook/messages.js';
import { identityFromEnv } from '../../../scripts/policy/identity.js';
import type { Problem } from '../../../scripts/policy/types.js';

const tip = 'c'.repeat(40);
const warning = (i: number): Problem => ({
  rule: 'lint/bool-comparison',
  severity: 'warning',
  message: `comparison with true ${i}`,
  fix: 'drop it',
  file: `nix/m${i}.nix`,
  line: 1,
});

describe('formatReport', () => {
  it('prints at most MAX_SHOWN_PER_REF problems per ref, errors first, and counts the rest', () => {
    const problems: Problem[] = Array.from({ length: 2000 }, (_, i) => warning(i));
    problems.push({ rule: 'private-key', severity: 'error', message: 'a key', fix: 'remove it', file: 'k' });
    const out = formatReport({
      decisions: [{ ref: 'refs/heads/f', accepted: false, problems, newOid: tip }],
      identity: identityFromEnv({ TAPPAAS_PUSHER: 'bob' }),
      origin: 'tappaas.json at HEAD',
    });
    const lines = out.trimEnd().split('\n');
    // Header, 50 problems of two lines, two lines for the rest, the summary.
    expect(lines.length).toBe(1 + 2 * MAX_SHOWN_PER_REF + 2 + 1);
    expect(lines[0]).toBe('tappaas: REJECTED refs/heads/f (new tip cccccccccccc): 1 error, 2,000 warnings');
    expect(lines[1]).toContain('error [private-key]');
    expect(out).toContain(
      '  ... and 1,951 more not shown (0 errors, 1,951 warnings, 0 notes; at most 50 are shown per ref)\n',
    );
    expect(out).toContain('`npx tappaas check --from <base>` at cccccccccccc');
    expect(lines.at(-1)).toContain('(1 error, 2,000 warnings)');
  });

  it('prints every problem of a ref that has no more than the limit', () => {
    const problems = Array.from({ length: MAX_SHOWN_PER_REF }, (_, i) => warning(i));
    const out = formatReport({
      decisions: [{ ref: 'refs/heads/f', accepted: true, problems, newOid: tip }],
      identity: identityFromEnv({}),
      origin: 'defaults',
    });
    expect(out).not.toContain('more not shown');
    expect(out.split('\n').filter((l) => l.includes('warning [')).length).toBe(MAX_SHOWN_PER_REF);
  });
});

describe('publicErrorMessage', () => {
  it.each([
    [
      new Error(
        "Cannot find module 'web-tree-sitter/tree-sitter.wasm'\nRequire stack:\n- /opt/tappaas/dist/hook.cjs",
      ),
      "Cannot find module 'web-tree-sitter/tree-sitter.wasm'",
    ],
    [
      new Error(
        'git cat-file --batch-command failed (exit 128): fatal: /srv/git/fleet.git/objects/info/alternates: bad',
      ),
      'git cat-file --batch-command failed (exit 128): fatal: …/alternates: bad',
    ],
    [
      new Error('server policy file /etc/tappaas/policy.json cannot be read: ENOENT'),
      'server policy file …/policy.json cannot be read: ENOENT',
    ],
    [new TypeError('x is not a function'), 'x is not a function'],
    ['a string', 'a string'],
  ])('%s', (err, expected) => {
    expect(publicErrorMessage(err)).toBe(expected);
  });

  it('keeps ref names and relative paths', () => {
    expect(publicErrorMessage(new Error('refs/heads/main: nix/hosts/a.nix (see ./x/y)'))).toBe(
      'refs/heads/main: nix/hosts/a.nix (see ./x/y)',
    );
  });
});

describe('breakGlassLogLine', () => {
  it('names the pusher (with every principal) and each ref with its old and new tip', () => {
    const input = Buffer.from(
      `${'a'.repeat(40)} ${'b'.repeat(40)} refs/heads/main\n${'0'.repeat(40)} ${'c'.repeat(40)} refs/tags/v1\n`,
    );
    expect(
      breakGlassLogLine(
        'accepted (would be rejected)',
        identityFromEnv({ TAPPAAS_PUSHER: 'alice', TAPPAAS_PUSHER_KEY: 'SHA256:abc' }),
        input,
      ),
    ).toBe(
      'accepted (would be rejected); pusher alice [alice ssh-key:SHA256:abc]; refs: refs/heads/main aaaaaaaaaaaa..bbbbbbbbbbbb, refs/tags/v1 (none)..cccccccccccc',
    );
    expect(breakGlassLogLine('x', identityFromEnv({}), Buffer.from('junk\n'))).toBe(
      'x; pusher anonymous; refs: line 1 "junk"',
    );
  });
});
