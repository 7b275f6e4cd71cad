// Human output: one block per finding (location, severity, message, rule), a code frame with
// the offending range underlined, help and fix lines, then a summary line. Colors only when
// the command says so; the formatter never looks at the terminal itself.
import { type Paint, painter, printable } from '../../term/colors.js';
import { redactSecrets, SECRET_RULES } from '../redact.js';
import type { Diagnostic, LintResult } from '../types.js';
import type { FormatOptions } from './options.js';
import { countFindings, plural, summarySentence } from './plain.js';

/** Longest range drawn in full; longer ones show their first and last lines. */
const MAX_FRAME_LINES = 4;
const MAX_UNDERLINE = 200;

export function formatText(result: LintResult, opts: FormatOptions): string {
  const paint = painter(opts.color);
  // Every frame and fix description is drawn from the source with secrets masked.
  const secrets = new Map<string, Diagnostic[]>();
  for (const d of result.diagnostics) {
    if (SECRET_RULES.has(d.rule)) secrets.set(d.file, [...(secrets.get(d.file) ?? []), d]);
  }
  const masked = new Map<string, { text: string; lines: string[] } | undefined>();
  const sourceOf = (file: string) => {
    if (!masked.has(file)) {
      const raw = opts.sources?.get(file);
      const text = raw === undefined ? undefined : redactSecrets(raw, secrets.get(file) ?? []);
      masked.set(file, text === undefined ? undefined : { text, lines: text.split('\n') });
    }
    return masked.get(file);
  };
  const out: string[] = [];
  if (opts.fixed) out.push(...fixedLines(opts.fixed, paint), '');
  for (const d of result.diagnostics) {
    out.push(header(d, paint));
    if (d.rule !== 'unreadable-file') out.push(...codeFrame(sourceOf(d.file)?.lines, d, paint));
    if (d.help) out.push(`  ${paint('cyan', 'help:')} ${d.help}`);
    if (d.fix)
      out.push(`  ${paint('green', 'fix:')} ${describeFix(d, sourceOf(d.file)?.text)} (tappaas lint --fix)`);
    for (const s of d.suggestions ?? []) out.push(`  ${paint('cyan', 'suggestion:')} ${s.message}`);
    out.push('');
  }
  const counts = countFindings(result.diagnostics);
  const summary = summarySentence(result.files, counts);
  if (counts.error) out.push(paint('red', paint('bold', `✖ ${summary}`)));
  else if (counts.warning || counts.info) out.push(paint('yellow', paint('bold', `⚠ ${summary}`)));
  else out.push(paint('green', `✔ ${summary}`));
  return `${out.join('\n')}\n`;
}

function header(d: Diagnostic, paint: Paint): string {
  const sev =
    d.severity === 'error'
      ? paint('red', 'error')
      : d.severity === 'warning'
        ? paint('yellow', 'warning')
        : paint('blue', 'info');
  return `${paint('bold', `${d.file}:${d.line}:${d.column}`)} ${sev} ${d.message} ${paint('gray', `[${d.rule}]`)}`;
}

function fixedLines(fixed: NonNullable<FormatOptions['fixed']>, paint: Paint): string[] {
  const out = [paint('green', `Fixed ${plural(fixed.fixes, 'problem')} in ${plural(fixed.files, 'file')}.`)];
  for (const file of fixed.skipped)
    out.push(paint('yellow', `Not fixed: ${file} has a syntax error; fix that first, then run --fix again.`));
  return out;
}

/** "replace `x == true` with `x`", from the fix and the source it applies to. */
function describeFix(d: Diagnostic, source: string | undefined): string {
  const fix = d.fix!;
  const quote = (s: string) => (s.length > 60 ? `\`${s.slice(0, 57)}...\`` : `\`${s}\``);
  const replacement = printable(fix.text.replace(/\n/g, '⏎'));
  if (source === undefined) return fix.text ? `replace with ${quote(replacement)}` : 'delete the range';
  const removed = printable(source.slice(fix.start, fix.end).replace(/\n/g, '⏎'));
  if (!removed) return `insert ${quote(replacement)}`;
  if (!fix.text) return `delete ${quote(removed)}`;
  return `replace ${quote(removed)} with ${quote(replacement)}`;
}

/**
 * The range's lines with one line of context before, a `>` on the lines in the range and a
 * `^` underline under the exact columns of each.
 */
export function codeFrame(lines: string[] | undefined, d: Diagnostic, paint: Paint): string[] {
  if (!lines || d.line < 1 || d.line > lines.length) return [];
  // A range that ends at column 1 ends with the line break before it: draw up to that break.
  const endsAtBreak = d.endLine > d.line && d.endColumn === 1;
  const endLine = Math.min(Math.max(endsAtBreak ? d.endLine - 1 : d.endLine, d.line), lines.length);
  let shown: number[] = [];
  for (let n = Math.max(1, d.line - 1); n <= endLine; n++) shown.push(n);
  if (endLine - d.line + 1 > MAX_FRAME_LINES) {
    // A long range: its first lines, a gap, its last line.
    shown = shown.filter((n) => n < d.line + MAX_FRAME_LINES - 1 || n === endLine);
  }
  const width = String(shown[shown.length - 1]).length;
  const gutter = (label: string) => paint('gray', `${label.padStart(width)} |`);
  const out: string[] = [];
  let previous = 0;
  for (const n of shown) {
    if (previous && n > previous + 1) out.push(`  ${gutter('…')}`);
    previous = n;
    const text = printable((lines[n - 1] ?? '').replace(/\r$/, ''));
    const inRange = n >= d.line && n <= endLine;
    out.push(`${inRange ? paint('red', '>') : ' '} ${gutter(String(n))}${text ? ` ${text}` : ''}`);
    if (!inRange) continue;
    const start = n === d.line ? d.column - 1 : leadingSpace(text);
    const end = n === endLine && !endsAtBreak && n === d.endLine ? d.endColumn - 1 : text.length;
    const length = Math.min(Math.max(end - start, 1), MAX_UNDERLINE);
    out.push(`  ${gutter('')} ${' '.repeat(Math.max(0, start))}${paint('red', '^'.repeat(length))}`);
  }
  return out;
}

function leadingSpace(text: string): number {
  return text.length - text.trimStart().length;
}
