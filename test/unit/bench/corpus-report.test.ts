// The pure parts of `npm run bench -- corpus`: counting a lint report, naming the file Nix
// rejected, the file comparison, the tables, and which sections a command line runs.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  align,
  compareFiles,
  countsCell,
  errorLines,
  type Finding,
  isLintOutput,
  nixMessage,
  rejectedIndex,
  ruleTable,
  summaryTable,
  tally,
} from '../../bench/corpus-report.js';
import { findNixFiles } from '../../bench/corpus-run.js';
import { planSections } from '../../bench/sections.js';

const f = (file: string, line: number, rule: string, severity: Finding['severity']): Finding => ({
  file,
  line,
  rule,
  severity,
  message: `${rule} here`,
});

const findings = [
  f('a.nix', 3, 'duplicate-attribute', 'error'),
  f('a.nix', 9, 'secret-in-store', 'error'),
  f('b.nix', 1, 'useless-parens', 'warning'),
  f('b.nix', 2, 'secret-in-store', 'warning'),
  f('c.nix', 4, 'eta-reduction', 'info'),
  f('c.nix', 5, 'duplicate-attribute', 'error'),
];

describe('tally', () => {
  const t = tally(findings);
  it('counts by severity, by rule, and the files with an error', () => {
    expect(t.counts).toEqual({ error: 3, warning: 2, info: 1 });
    expect(t.byRule.get('secret-in-store')).toEqual({ error: 1, warning: 1, info: 0 });
    expect(t.byRule.get('eta-reduction')).toEqual({ error: 0, warning: 0, info: 1 });
    expect(t.filesWithError).toBe(2);
    expect(t.errors.map((e) => `${e.file}:${e.line}`)).toEqual(['a.nix:3', 'a.nix:9', 'c.nix:5']);
  });
  it('of nothing is all zero', () => {
    const none = tally([]);
    expect(none.counts).toEqual({ error: 0, warning: 0, info: 0 });
    expect(none.filesWithError).toBe(0);
  });
});

describe('errorLines', () => {
  const errors = tally(findings).errors;
  it('lists each error as file:line rule message', () => {
    expect(errorLines(errors)).toEqual([
      'a.nix:3 duplicate-attribute duplicate-attribute here',
      'a.nix:9 secret-in-store secret-in-store here',
      'c.nix:5 duplicate-attribute duplicate-attribute here',
    ]);
  });
  it('stops at the limit and counts the rest', () => {
    expect(errorLines(errors, 2)).toEqual([
      'a.nix:3 duplicate-attribute duplicate-attribute here',
      'a.nix:9 secret-in-store secret-in-store here',
      '... and 1 more errors',
    ]);
  });
});

describe('isLintOutput', () => {
  it.each([
    [{ files: 2, diagnostics: findings }, true],
    [{ files: 0, diagnostics: [] }, true],
    [{ diagnostics: [] }, false],
    [
      { files: 1, diagnostics: [{ file: 'a.nix', line: 1, rule: 'x', severity: 'fatal', message: '' }] },
      false,
    ],
    [null, false],
    ['{}', false],
  ])('%j -> %s', (value, expected) => {
    expect(isLintOutput(value)).toBe(expected);
  });
});

describe('what Nix rejected', () => {
  const cwd = '/fleet';
  const files = ['a.nix', 'hosts/b.nix', 'c.nix'];
  it.each([
    // stderr, index, at
    ["error: syntax error, unexpected ';'\n\n       at /fleet/hosts/b.nix:1:7:\n\n   1| { a = ; }", 1, '1:7'],
    // The first line names where the first definition was; the `at` line is the culprit.
    ["error: attribute 'a' already defined at /fleet/a.nix:1:3\n\n       at /fleet/c.nix:1:10:\n", 2, '1:10'],
    ["error: undefined variable 'x'\n\n       at /fleet/a.nix:1:1:\n", 0, '1:1'],
    ['error: out of memory', -1, undefined],
    ['       at /elsewhere/a.nix:1:1:\n', -1, undefined],
  ])('%j -> %i', (stderr, index, at) => {
    expect(rejectedIndex(stderr, cwd, files)).toEqual(at === undefined ? { index } : { index, at });
  });
  it('quotes the error line, else the first line', () => {
    expect(nixMessage("\nerror: undefined variable 'x'\n\n at /f.nix:1:1:")).toBe(
      "error: undefined variable 'x'",
    );
    expect(nixMessage('warning: odd\n')).toBe('warning: odd');
    expect(nixMessage('')).toBe('no message');
  });
});

describe('compareFiles', () => {
  it('names the files only one side has', () => {
    expect(compareFiles(['a.nix', 'result/b.nix', 'c.nix'], ['a.nix', 'c.nix', 'd.nix'])).toEqual({
      notLinted: ['result/b.nix'],
      notFound: ['d.nix'],
    });
    expect(compareFiles(['a.nix'], ['a.nix'])).toEqual({ notLinted: [], notFound: [] });
  });
  it('takes two names of one file as one, by the key given', () => {
    const real = (f: string) => f.replace(/^link\//, 'dir/');
    expect(compareFiles(['dir/a.nix', 'b.nix'], ['link/a.nix'], real)).toEqual({
      notLinted: ['b.nix'],
      notFound: [],
    });
  });
});

describe('tables', () => {
  it('aligns the first columns left and the rest right', () => {
    expect(
      align(
        [
          ['rule', 'n'],
          ['x', '100'],
        ],
        1,
      ),
    ).toBe('rule    n\nx     100');
  });
  it.each([
    [{ error: 3, warning: 0, info: 0 }, '3'],
    [{ error: 0, warning: 2, info: 0 }, '2w'],
    [{ error: 1, warning: 2, info: 5 }, '1 2w 5i'],
    [{ error: 0, warning: 0, info: 0 }, '-'],
    [undefined, '-'],
  ])('cell %j -> %s', (counts, cell) => {
    expect(countsCell(counts)).toBe(cell);
  });
  it('has one row per rule, most errors first, a column per repository and a total', () => {
    const one = tally(findings);
    const two = tally([f('d.nix', 1, 'useless-parens', 'warning'), f('d.nix', 2, 'syntax-error', 'error')]);
    expect(ruleTable([one, two]).split('\n')).toEqual([
      'rule                    1   2  total',
      'duplicate-attribute     2   -      2',
      'secret-in-store      1 1w   -   1 1w',
      'syntax-error            -   1      1',
      'useless-parens         1w  1w     2w',
      'eta-reduction          1i   -     1i',
    ]);
  });
  it('sums the repositories and says whether a target is met', () => {
    const t = tally(findings);
    const lines = summaryTable([
      { name: 'fleet', found: 3, linted: 3, tally: t, lintMs: 400, nixMs: 40, nixLeftOut: 1 },
      { name: 'home-manager', found: 10, linted: 10, tally: tally([]), lintMs: 100, nixMs: 60, target: 0.5 },
    ]).split('\n');
    expect(lines[0]).toMatch(/^#\s+repository\s+\.nix\s+linted\s+err files\s+errors\s+warnings\s+info/);
    expect(lines[1]).toMatch(/^1\s+fleet\s+3\s+3\s+2\s+3\s+2\s+1\s+400\s+40\*\s+0\.10x$/);
    expect(lines[2]).toMatch(/^2\s+home-manager\s+10\s+10\s+0\s+0\s+0\s+0\s+100\s+60\s+0\.60x\s+>= 0\.5 ok$/);
    expect(lines[3]).toMatch(/^\s+total\s+13\s+13\s+2\s+3\s+2\s+1\s+500\s+100\*\s+0\.20x$/);
  });
});

describe('findNixFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-corpus-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('lists every .nix file as find does: links to files yes, .git and other files no', () => {
    for (const p of ['hosts/web', '.git/x', 'result']) mkdirSync(join(dir, p), { recursive: true });
    for (const p of ['flake.nix', 'hosts/web/default.nix', '.git/x/a.nix', 'result/r.nix', 'README.md'])
      writeFileSync(join(dir, p), '{ }\n');
    symlinkSync('flake.nix', join(dir, 'link.nix'));
    symlinkSync('missing.nix', join(dir, 'dangling.nix'));
    expect(findNixFiles(dir)).toEqual(['flake.nix', 'hosts/web/default.nix', 'link.nix', 'result/r.nix']);
  });
});

describe('planSections', () => {
  const plain = ['lint', 'hook'];
  const withArgs = { corpus: 'Usage: corpus DIR...' };
  it.each([
    [
      [],
      {
        ok: true,
        sections: [
          { name: 'lint', args: [] },
          { name: 'hook', args: [] },
        ],
      },
    ],
    [['hook'], { ok: true, sections: [{ name: 'hook', args: [] }] }],
    [['corpus', 'a', 'lint'], { ok: true, sections: [{ name: 'corpus', args: ['a', 'lint'] }] }],
    [
      ['lint', 'corpus', '/x'],
      {
        ok: true,
        sections: [
          { name: 'lint', args: [] },
          { name: 'corpus', args: ['/x'] },
        ],
      },
    ],
    [['corpus'], { ok: false, message: 'Usage: corpus DIR...' }],
    [
      ['lnt', 'x'],
      { ok: false, message: 'bench: unknown section lnt, x; sections: lint, hook, corpus DIR...' },
    ],
  ])('%j', (argv, plan) => {
    expect(planSections(argv, plain, withArgs)).toEqual(plan);
  });
});
