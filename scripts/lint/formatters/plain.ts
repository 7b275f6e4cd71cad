// Findings as plain lines, `file:line:column: severity: message [rule]`: the shape compilers
// print, which editors, CI problem matchers and `remote:` hook output all handle. Shared by
// every renderer that writes to a log rather than a terminal.
import type { Diagnostic, Severity } from '../types.js';

export function plainLine(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${oneLine(d.message)} [${d.rule}]`;
}

/** The finding and its help, one line each. */
export function plainLines(d: Diagnostic): string[] {
  const out = [plainLine(d)];
  if (d.help) out.push(`  help: ${oneLine(d.help)}`);
  return out;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}

export interface FindingCounts {
  error: number;
  warning: number;
  info: number;
  /** Findings a safe fix exists for (`tappaas lint --fix`). */
  fixable: number;
}

export function countFindings(diagnostics: readonly Diagnostic[]): FindingCounts {
  const counts: FindingCounts = { error: 0, warning: 0, info: 0, fixable: 0 };
  for (const d of diagnostics) {
    counts[d.severity]++;
    if (d.fix) counts.fixable++;
  }
  return counts;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const SEVERITY_WORD: Record<Severity, (n: number) => string> = {
  error: (n) => plural(n, 'error'),
  warning: (n) => plural(n, 'warning'),
  info: (n) => `${n} info`,
};

/** "3 files linted: 1 error, 2 warnings (1 fixable with `tappaas lint --fix`)" or a clean line. */
export function summarySentence(files: number, counts: FindingCounts): string {
  const linted = `${plural(files, 'file')} linted`;
  const total = counts.error + counts.warning + counts.info;
  if (total === 0) return `${linted}: no problems found`;
  const parts = (['error', 'warning', 'info'] as const)
    .filter((s) => counts[s] > 0 || s !== 'info')
    .map((s) => SEVERITY_WORD[s](counts[s]));
  const fixable = counts.fixable ? ` (${counts.fixable} fixable with \`tappaas lint --fix\`)` : '';
  return `${linted}: ${parts.join(', ')}${fixable}`;
}
