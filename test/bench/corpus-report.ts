// The pure half of `npm run bench -- corpus`: counting a lint report, naming the file Nix
// rejected, comparing file lists, and the tables. No processes, no file system, so each
// piece is tested on its own (test/unit/bench/corpus-report.test.ts).
import { resolve } from 'node:path';

export type Severity = 'error' | 'warning' | 'info';
const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

/** One finding as `tappaas lint --format json` prints it (the keys the bench reads). */
export interface Finding {
  file: string;
  line: number;
  rule: string;
  severity: Severity;
  message: string;
}

export interface LintOutput {
  files: number;
  diagnostics: Finding[];
}

export type Counts = Record<Severity, number>;

export interface Tally {
  counts: Counts;
  byRule: Map<string, Counts>;
  /** Distinct files with at least one error. */
  filesWithError: number;
  /** Every error, in the order the lint printed them. */
  errors: Finding[];
}

const zero = (): Counts => ({ error: 0, warning: 0, info: 0 });

export function tally(findings: Finding[]): Tally {
  const counts = zero();
  const byRule = new Map<string, Counts>();
  const errorFiles = new Set<string>();
  const errors: Finding[] = [];
  for (const f of findings) {
    counts[f.severity]++;
    let rule = byRule.get(f.rule);
    if (!rule) byRule.set(f.rule, (rule = zero()));
    rule[f.severity]++;
    if (f.severity === 'error') {
      errorFiles.add(f.file);
      errors.push(f);
    }
  }
  return { counts, byRule, filesWithError: errorFiles.size, errors };
}

/** Whether `value` is the JSON report of the lint (a wrong shape is a lint bug, not a count). */
export function isLintOutput(value: unknown): value is LintOutput {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<LintOutput>;
  return (
    typeof v.files === 'number' &&
    Array.isArray(v.diagnostics) &&
    v.diagnostics.every(
      (d) =>
        typeof d?.file === 'string' &&
        typeof d.line === 'number' &&
        typeof d.rule === 'string' &&
        SEVERITIES.includes(d.severity) &&
        typeof d.message === 'string',
    )
  );
}

/** At most `max` errors as `file:line rule message`, then how many were left out. */
export function errorLines(errors: Finding[], max = 30): string[] {
  const lines = errors.slice(0, max).map((e) => `${e.file}:${e.line} ${e.rule} ${e.message}`);
  if (errors.length > max) lines.push(`... and ${errors.length - max} more errors`);
  return lines;
}

export interface NixRejection {
  file: string;
  /** `line:column` where Nix stopped, when it said. */
  at?: string;
  /** Nix's first line, `error: ...`. */
  message: string;
}

/**
 * Which of `files` (relative to `cwd`) Nix's error is about: nix-instantiate parses its
 * arguments in order and stops at the first bad one, naming it in an `at FILE:L:C:` line.
 * -1 when the message names none of them (the caller then tries the files one by one).
 */
export function rejectedIndex(stderr: string, cwd: string, files: string[]): { index: number; at?: string } {
  for (const m of stderr.matchAll(/^\s*at (.+):(\d+):(\d+):\s*$/gm)) {
    const index = files.findIndex((f) => resolve(cwd, f) === m[1]);
    if (index >= 0) return { index, at: `${m[2]}:${m[3]}` };
  }
  return { index: -1 };
}

/** Nix's own words, one line: the first `error:` line, else the first line said. */
export function nixMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  return lines.find((l) => l.startsWith('error:')) ?? lines.find((l) => l !== '') ?? 'no message';
}

/**
 * Files found on disk but not linted, and linted but not found (both should be empty).
 * `key` says which names are one file: the lint walks a symlinked folder under its link's
 * name, find under its own, so the caller compares real paths.
 */
export function compareFiles(
  found: string[],
  linted: string[],
  key: (file: string) => string = (f) => f,
): { notLinted: string[]; notFound: string[] } {
  const lintedSet = new Set(linted.map(key));
  const foundSet = new Set(found.map(key));
  return {
    notLinted: found.filter((f) => !lintedSet.has(key(f))),
    notFound: linted.filter((f) => !foundSet.has(key(f))),
  };
}

/** lint wall / nix wall turned round: how much of Nix's own speed the lint keeps. */
export function speedRatio(nixMs: number, lintMs: number): number {
  return lintMs > 0 ? nixMs / lintMs : 0;
}

/** Columns padded to their widest cell; the first `left` columns flush left, the rest right. */
export function align(rows: string[][], left = 1): string {
  const width: number[] = [];
  for (const row of rows)
    for (const [i, cell] of row.entries()) width[i] = Math.max(width[i] ?? 0, cell.length);
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i < left ? cell.padEnd(width[i]!) : cell.padStart(width[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A per-rule cell: errors bare, warnings with `w`, info with `i`; `-` for none. */
export function countsCell(c: Counts | undefined): string {
  if (!c) return '-';
  const parts = [
    c.error ? String(c.error) : '',
    c.warning ? `${c.warning}w` : '',
    c.info ? `${c.info}i` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : '-';
}

export function addCounts(a: Counts, b: Counts): Counts {
  return { error: a.error + b.error, warning: a.warning + b.warning, info: a.info + b.info };
}

/**
 * One row per rule, one column per repository (numbered, see the summary table) and the
 * total; rules with the most errors first, then the most warnings, then by name.
 */
export function ruleTable(repos: Tally[]): string {
  const total = new Map<string, Counts>();
  for (const t of repos)
    for (const [rule, c] of t.byRule) total.set(rule, addCounts(total.get(rule) ?? zero(), c));
  const rules = [...total].sort(
    ([a, x], [b, y]) => y.error - x.error || y.warning - x.warning || y.info - x.info || a.localeCompare(b),
  );
  const head = ['rule', ...repos.map((_, i) => String(i + 1)), 'total'];
  const body = rules.map(([rule, c]) => [
    rule,
    ...repos.map((t) => countsCell(t.byRule.get(rule))),
    countsCell(c),
  ]);
  return align([head, ...body]);
}

export interface RepoRow {
  name: string;
  found: number;
  linted: number;
  tally: Tally;
  lintMs: number;
  nixMs: number;
  /** Files Nix rejected, so left out of its time (marked `*`). */
  nixLeftOut?: number;
  /** The ratio this repository must reach, when it has one. */
  target?: number;
}

const ms = (n: number) => n.toFixed(0);

/** The summary: one numbered row per repository and a total row; a `*` marks files left out of Nix's time. */
export function summaryTable(rows: RepoRow[]): string {
  const head = ['#', 'repository', '.nix', 'linted', 'err files', 'errors', 'warnings', 'info'];
  const timeHead = ['lint ms', 'nix ms', 'ratio', 'target'];
  const line = (n: string, r: Omit<RepoRow, 'target'> & { target?: number }) => {
    const ratio = speedRatio(r.nixMs, r.lintMs);
    const verdict = r.target === undefined ? '' : `>= ${r.target} ${ratio >= r.target ? 'ok' : 'MISSED'}`;
    return [
      n,
      r.name,
      String(r.found),
      String(r.linted),
      String(r.tally.filesWithError),
      String(r.tally.counts.error),
      String(r.tally.counts.warning),
      String(r.tally.counts.info),
      ms(r.lintMs),
      `${ms(r.nixMs)}${r.nixLeftOut ? '*' : ''}`,
      `${ratio.toFixed(2)}x`,
      verdict,
    ];
  };
  const sum = (pick: (r: RepoRow) => number) => rows.reduce((s, r) => s + pick(r), 0);
  const totalTally: Tally = {
    counts: rows.reduce((c, r) => addCounts(c, r.tally.counts), zero()),
    byRule: new Map(),
    filesWithError: sum((r) => r.tally.filesWithError),
    errors: [],
  };
  const total = line('', {
    name: 'total',
    found: sum((r) => r.found),
    linted: sum((r) => r.linted),
    tally: totalTally,
    lintMs: sum((r) => r.lintMs),
    nixMs: sum((r) => r.nixMs),
    nixLeftOut: sum((r) => r.nixLeftOut ?? 0),
  });
  return align([[...head, ...timeHead], ...rows.map((r, i) => line(String(i + 1), r)), total], 2);
}
