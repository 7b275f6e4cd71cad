// Findings of `secret-in-store` point at a secret; output must never repeat it. Code frames
// are drawn from a copy of the source with those ranges masked (newlines kept, so every
// other position stays where it was).
import type { Diagnostic } from './types.js';

export const SECRET_RULES: ReadonlySet<string> = new Set(['secret-in-store']);

/** The source with every secret finding's range (1-based, UTF-16 columns) replaced by `*`. */
export function redactSecrets(source: string, diagnostics: readonly Diagnostic[]): string {
  const ranges = diagnostics.filter((d) => SECRET_RULES.has(d.rule));
  if (ranges.length === 0) return source;
  const lines = source.split('\n');
  for (const d of ranges) {
    for (let n = d.line; n <= d.endLine && n <= lines.length; n++) {
      const text = lines[n - 1] ?? '';
      const from = n === d.line ? d.column - 1 : 0;
      const to = n === d.endLine ? Math.min(d.endColumn - 1, text.length) : text.length;
      if (to > from) lines[n - 1] = text.slice(0, from) + '*'.repeat(to - from) + text.slice(to);
    }
  }
  return lines.join('\n');
}
