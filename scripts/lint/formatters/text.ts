// Human output: one block per finding with a code frame, colored on a terminal, and a
// summary line. Reads each file once to draw frames.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic, LintResult } from '../types.js';
import type { FormatOptions } from './index.js';

const ANSI = { red: 31, yellow: 33, blue: 34, gray: 90, bold: 1, cyan: 36 } as const;

export function formatText(result: LintResult, opts: FormatOptions): string {
  const paint = (code: keyof typeof ANSI, s: string) => (opts.color ? `\x1b[${ANSI[code]}m${s}\x1b[0m` : s);
  const sources = new Map<string, string[] | undefined>();
  const linesOf = (file: string) => {
    if (!sources.has(file)) {
      try {
        sources.set(file, readFileSync(join(opts.cwd, file), 'utf8').split('\n'));
      } catch {
        sources.set(file, undefined);
      }
    }
    return sources.get(file);
  };
  const out: string[] = [];
  for (const d of result.diagnostics) {
    const sev =
      d.severity === 'error'
        ? paint('red', 'error')
        : d.severity === 'warning'
          ? paint('yellow', 'warning')
          : paint('blue', 'info');
    out.push(
      `${paint('bold', `${d.file}:${d.line}:${d.column}`)} ${sev} ${d.message} ${paint('gray', `[${d.rule}]`)}`,
    );
    const frame = d.rule === 'unreadable-file' ? [] : codeFrame(linesOf(d.file), d, paint);
    out.push(...frame);
    if (d.help) out.push(`  ${paint('cyan', 'help:')} ${d.help}`);
    if (d.fix) out.push(`  ${paint('cyan', 'fix:')} replace with ${JSON.stringify(d.fix.text)}`);
    for (const s of d.suggestions ?? []) out.push(`  ${paint('cyan', 'suggestion:')} ${s.message}`);
    out.push('');
  }
  const count = (s: Diagnostic['severity']) => result.diagnostics.filter((d) => d.severity === s).length;
  const [errors, warnings, infos] = [count('error'), count('warning'), count('info')];
  const summary = `${result.files} file${result.files === 1 ? '' : 's'} linted: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${infos ? `, ${infos} info` : ''}`;
  out.push(errors ? paint('red', summary) : warnings ? paint('yellow', summary) : summary);
  return `${out.join('\n')}\n`;
}

function codeFrame(
  lines: string[] | undefined,
  d: Diagnostic,
  paint: (code: keyof typeof ANSI, s: string) => string,
): string[] {
  if (!lines || d.line > lines.length) return [];
  const first = Math.max(1, d.line - 1);
  const last = Math.min(lines.length, d.endLine, d.line + 2);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? '').replace(/\t/g, ' ').replace(/\r$/, '');
    const marker = n >= d.line && n <= d.endLine ? paint('red', '>') : ' ';
    out.push(`${marker} ${paint('gray', `${String(n).padStart(width)} |`)} ${text}`);
    if (n === d.line) {
      const start = d.column - 1;
      const end =
        d.endLine === d.line ? Math.max(d.endColumn - 1, start + 1) : Math.max(text.length, start + 1);
      out.push(
        `  ${' '.repeat(width)} ${paint('gray', '|')} ${' '.repeat(start)}${paint('red', '^'.repeat(Math.min(end - start, 200)))}`,
      );
    }
  }
  return out;
}
