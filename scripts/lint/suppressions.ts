// Inline suppression: `# tappaas-lint-disable-next-line rule-a, rule-b -- why this is fine`.
// A reason is required (a suppression without one is reported), and a suppression that
// silences nothing is reported too, so stale ones do not pile up.
import type { Diagnostic } from './types.js';

const DIRECTIVE = /#\s*tappaas-lint-disable-next-line\b([^\n]*)/g;

export interface Suppression {
  /** 1-based line of the comment; it covers the next line. */
  line: number;
  column: number;
  endColumn: number;
  rules: string[];
  reason: string;
  used: boolean;
}

export function findSuppressions(source: string): Suppression[] {
  if (!source.includes('tappaas-lint-disable')) return [];
  const out: Suppression[] = [];
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const m of source.matchAll(DIRECTIVE)) {
    for (let i = source.indexOf('\n', scanned); i !== -1 && i < m.index; i = source.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = m.index;
    const [spec = '', reason = ''] = (m[1] ?? '').split(/\s--\s?/, 2);
    const rules = spec
      .split(/[,\s]+/)
      .map((r) => r.trim())
      .filter(Boolean);
    out.push({
      line,
      column: m.index - lineStart + 1,
      endColumn: m.index - lineStart + 1 + m[0].length,
      rules,
      reason: reason.trim(),
      used: false,
    });
  }
  return out;
}

/** Drops suppressed diagnostics and adds findings about the directives themselves. */
export function applySuppressions(file: string, source: string, diagnostics: Diagnostic[]): Diagnostic[] {
  const directives = findSuppressions(source);
  if (directives.length === 0) return diagnostics;
  const byLine = new Map<number, Suppression>();
  for (const d of directives) byLine.set(d.line + 1, d);
  const kept = diagnostics.filter((d) => {
    const s = byLine.get(d.line);
    if (!s || d.rule === 'syntax-error') return true;
    if (s.rules.length > 0 && !s.rules.includes(d.rule)) return true;
    s.used = true;
    return false;
  });
  for (const s of directives) {
    const at = { file, line: s.line, column: s.column, endLine: s.line, endColumn: s.endColumn };
    if (!s.reason) {
      kept.push({
        ...at,
        rule: 'lint-suppression',
        severity: 'warning',
        message: 'Suppression without a reason.',
        help: 'Say why after " -- ", e.g. `# tappaas-lint-disable-next-line unused-binding -- kept for the docs`.',
      });
    }
    if (!s.used) {
      kept.push({
        ...at,
        rule: 'lint-suppression',
        severity: 'warning',
        message: `Unused suppression${s.rules.length ? ` of ${s.rules.join(', ')}` : ''}: nothing is reported on the next line.`,
        help: 'Remove the comment.',
      });
    }
  }
  return kept;
}
