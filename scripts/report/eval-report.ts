// What `tappaas eval` shows: a line per host, the plain table for every log (Gitea shows no
// job summary), the job summary markdown, the annotations and the CI groups. Pure: the
// command and the progress renderer write them.
import { createHash } from 'node:crypto';
import { oneLine, plural } from '../lint/formatters/plain.js';
import type { HostResult } from '../nixcli/types.js';
import type { Paint } from '../term/colors.js';
import { printable } from '../term/colors.js';

export interface EvalCounts {
  total: number;
  ok: number;
  evalErrors: number;
  buildErrors: number;
}

export function evalCounts(results: readonly HostResult[]): EvalCounts {
  return {
    total: results.length,
    ok: results.filter((r) => r.status === 'ok').length,
    evalErrors: results.filter((r) => r.status === 'eval-error').length,
    buildErrors: results.filter((r) => r.status === 'build-error').length,
  };
}

/** "20 hosts evaluated and built: 18 ok, 1 eval-error, 1 build-error". */
export function evalSentence(results: readonly HostResult[], built: boolean): string {
  const c = evalCounts(results);
  const what = `${plural(c.total, 'host')} evaluated${built ? ' and built' : ''}`;
  const parts = [`${c.ok} ok`];
  if (c.evalErrors) parts.push(`${c.evalErrors} eval-error`);
  if (c.buildErrors) parts.push(`${c.buildErrors} build-error`);
  return `${what}: ${parts.join(', ')}`;
}

export function where(r: HostResult): string {
  if (!r.file) return '';
  return `${r.file}${r.line ? `:${r.line}` : ''}`;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`;
}

/** The error's first line without the `file:line:` it starts with (shown apart). */
export function headline(r: HostResult): string {
  const first = (r.error ?? '').split('\n')[0] ?? '';
  const place = where(r);
  const col = r.column ? `${place}:${r.column}: ` : `${place}: `;
  if (place && first.startsWith(col)) return first.slice(col.length);
  if (place && first.startsWith(`${place}: `)) return first.slice(place.length + 2);
  return first;
}

/** One line per finished host, for a terminal or a log. */
export function hostLine(r: HostResult, paint: Paint): string {
  const name = printable(r.name);
  if (r.status === 'ok') {
    const time = [seconds(r.evalMs), r.buildMs === undefined ? '' : `build ${seconds(r.buildMs)}`]
      .filter(Boolean)
      .join(', ');
    return `${paint('green', '✓')} ${paint('bold', name)} ${paint('gray', r.outPath ?? '')}${time ? paint('gray', ` (${time})`) : ''}`;
  }
  const place = where(r);
  return `${paint('red', '✗')} ${paint('bold', name)} ${paint('red', r.status)}${place ? ` ${paint('cyan', place)}` : ''}: ${printable(oneLine(headline(r)))}`;
}

/** The full error of a failed host, indented under its line. */
export function errorBlock(r: HostResult): string[] {
  if (r.status === 'ok' || !r.error) return [];
  return r.error.split('\n').map((l) => `    ${printable(l)}`);
}

function cell(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
}

const ICON: Record<HostResult['status'], string> = { ok: '✅', 'eval-error': '❌', 'build-error': '❌' };

function tableRows(results: readonly HostResult[], markdown: boolean): string[] {
  const code = (t: string) => (markdown && t ? `<code>${cell(t)}</code>` : cell(t));
  return results.map((r) => {
    const detail = r.status === 'ok' ? code(r.outPath ?? '') : cell(headline(r));
    const status = markdown ? `${ICON[r.status]} ${r.status}` : r.status;
    return `| ${code(r.name)} | ${status} | ${code(where(r))} | ${detail} |`;
  });
}

/** The plain summary for the log: a sentence and a markdown table that reads as text too. */
export function plainSummary(results: readonly HostResult[], built: boolean): string {
  const lines = [
    `tappaas eval: ${evalSentence(results, built)}`,
    '',
    '| Host | Status | Where | Result |',
    '| --- | --- | --- | --- |',
    ...tableRows(results, false),
  ];
  return `${lines.join('\n')}\n`;
}

/** Job summary: the table, then each failure's full error folded under its host. */
export function summaryMarkdown(
  results: readonly HostResult[],
  built: boolean,
  maxBytes = 1000 * 1024,
): string {
  const c = evalCounts(results);
  const icon = c.ok === c.total ? '✅' : '❌';
  const out = [
    `### ${icon} tappaas eval`,
    '',
    `**${evalSentence(results, built)}**`,
    '',
    '| Host | Status | Where | Result |',
    '| --- | --- | --- | --- |',
    ...tableRows(results, true),
    '',
  ];
  let budget = maxBytes - Buffer.byteLength(out.join('\n'));
  for (const r of results) {
    if (r.status === 'ok' || !r.error) continue;
    // A fence longer than any backtick run in the error, so the error cannot close it.
    const fence = '`'.repeat(Math.max(3, ...(r.error.match(/`+/g) ?? []).map((s) => s.length + 1)));
    const block = [
      `<details><summary>${cell(r.name)}: ${r.status}${where(r) ? ` at ${cell(where(r))}` : ''}</summary>`,
      '',
      fence,
      r.error,
      fence,
      '',
      '</details>',
      '',
    ];
    budget -= Buffer.byteLength(block.join('\n'));
    if (budget < 0) {
      out.push('More errors than fit in the summary: see the job log.');
      break;
    }
    out.push(...block);
  }
  return `${out.join('\n')}\n`;
}

/** `%`, CR and LF escaped as the Actions runner expects in a command's message. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=…,line=…,title=…::message` for each failed host (GitHub and Gitea runners). */
export function annotationCommands(results: readonly HostResult[], limit = 10): string[] {
  const failed = results.filter((r) => r.status !== 'ok');
  const out = failed.slice(0, limit).map((r) => {
    const props = [`title=${escapeProperty(`tappaas eval: ${r.name} ${r.status}`)}`];
    if (r.file) {
      props.unshift(`file=${escapeProperty(r.file)}`);
      if (r.line) props.push(`line=${r.line}`);
      if (r.line && r.column) props.push(`col=${r.column}`);
    }
    return `::error ${props.join(',')}::${escapeData(r.error ?? r.status)}`;
  });
  return out;
}

/**
 * A collapsed group per host for a CI log. Host names and errors come from the repository:
 * workflow commands stay off while they print (the token depends on the text, so the text
 * cannot contain it).
 */
export function ciGroup(r: HostResult): string[] {
  const body =
    r.status === 'ok'
      ? [`drvPath: ${r.drvPath}`, `outPath: ${r.outPath}`]
      : [`${r.status}${where(r) ? ` at ${where(r)}` : ''}`, ...(r.error ?? '').split('\n')];
  const token = `tappaas-${createHash('sha256')
    .update([r.name, ...body].join('\n'))
    .digest('hex')
    .slice(0, 32)}`;
  const title = `${r.status === 'ok' ? '✓' : '✗'} ${oneLine(r.name)} ${r.status}`;
  return [`::group::${title}`, `::stop-commands::${token}`, ...body, `::${token}::`, '::endgroup::'];
}
