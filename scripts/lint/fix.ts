// `--fix`: apply the safe fixes (rules with meta.fixable) to a source text, pass after pass
// until nothing changes, as ESLint does. Pure over its input: the command reads and writes.
import { type EngineOptions, lintSource } from './engine.js';
import type { Diagnostic, Fix } from './types.js';

export const MAX_FIX_PASSES = 10;

export interface FixOutcome {
  output: string;
  /** Fixes applied over all passes. */
  applied: number;
  passes: number;
  /** Why nothing was fixed: the input (or a pass's output) does not parse. */
  blocked?: 'syntax-error';
}

/**
 * Applies non-overlapping fixes, last first so earlier offsets stay valid. Of two fixes that
 * overlap, the one further down is kept; the other gets its turn in the next pass.
 */
export function applyFixes(source: string, fixes: readonly Fix[]): { output: string; applied: number } {
  const sorted = [...fixes].sort((a, b) => b.start - a.start || b.end - a.end);
  let output = source;
  let limit = Number.POSITIVE_INFINITY;
  let applied = 0;
  for (const f of sorted) {
    if (f.end > limit || (f.end === limit && f.start === f.end)) continue;
    output = output.slice(0, f.start) + f.text + output.slice(f.end);
    limit = f.start;
    applied++;
  }
  return { output, applied };
}

const isSyntaxError = (d: Diagnostic) => d.rule === 'syntax-error' && d.severity === 'error';

export async function fixSource(path: string, source: string, opts: EngineOptions = {}): Promise<FixOutcome> {
  let current = source;
  let applied = 0;
  let passes = 0;
  // The last text known to parse, and the fixes that led to it.
  let good = { output: source, applied: 0, passes: 0 };
  for (;;) {
    const diagnostics = await lintSource(path, current, opts);
    if (diagnostics.some(isSyntaxError)) {
      // Never edit a file Nix cannot parse; and if a pass broke the file (a rule bug), keep
      // the output of the last pass that parsed.
      return passes === 0 ? { ...good, blocked: 'syntax-error' } : good;
    }
    good = { output: current, applied, passes };
    if (passes === MAX_FIX_PASSES) break;
    const fixes = diagnostics.flatMap((d) => (d.fix ? [d.fix] : []));
    if (fixes.length === 0) break;
    const next = applyFixes(current, fixes);
    if (next.output === current) break;
    current = next.output;
    applied += next.applied;
    passes++;
  }
  return good;
}
