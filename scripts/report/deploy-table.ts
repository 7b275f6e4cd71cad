// Deploy and status results as a plain table for the log and as Markdown for the job summary
// (GitHub, and Gitea from 1.27): the same rows both ways, pure functions of the results.
import type { HostDrift } from '../deploy/drift.js';
import type { HostResult } from '../deploy/types.js';
import { oneLine } from '../lint/formatters/plain.js';
import { printable } from '../term/colors.js';

/** `/nix/store/<hash>-<name>` as `<first 8 of hash>…-<name>`: enough to tell systems apart. */
export function shortStorePath(path: string | undefined): string {
  if (!path) return '-';
  const m = /^\/nix\/store\/([0-9a-z]{32})-(.*)$/.exec(path);
  return m ? `${m[1]!.slice(0, 8)}…-${m[2]}` : path;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const clean = (t: string | undefined) => (t ? printable(oneLine(t)) : '');

export function deployRows(results: readonly HostResult[]): string[][] {
  return results.map((r) => [
    r.name,
    r.status,
    r.phase && r.status !== 'deployed' && r.status !== 'unchanged' ? r.phase : '',
    shortStorePath(r.from),
    shortStorePath(r.to),
    clean(r.error),
  ]);
}

const DEPLOY_HEADER = ['host', 'status', 'phase', 'from', 'to', 'error'];

export function countByStatus<T extends { status: string }>(results: readonly T[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'no hosts';
}

export function deployTableText(results: readonly HostResult[]): string {
  return `${table(DEPLOY_HEADER, deployRows(results)).join('\n')}\n${countByStatus(results)}\n`;
}

function markdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|') || ' ';
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function deploySummaryMarkdown(results: readonly HostResult[], title: string): string {
  const rows = deployRows(results).map((r) =>
    r.map((c, i) => (i === 3 || i === 4 ? (c === '-' ? c : `\`${c}\``) : c)),
  );
  return `### ${title}\n\n${countByStatus(results)}\n\n${markdownTable(DEPLOY_HEADER, rows)}\n`;
}

const STATUS_HEADER = ['host', 'status', 'running', 'expected', 'deployed commit', 'error'];

function statusRows(hosts: readonly HostDrift[]): string[][] {
  return hosts.map((h) => [
    h.name,
    h.status,
    shortStorePath(h.running),
    shortStorePath(h.expected),
    h.deployedCommit ? h.deployedCommit.slice(0, 12) : '-',
    clean(h.error),
  ]);
}

export function statusTableText(hosts: readonly HostDrift[]): string {
  return `${table(STATUS_HEADER, statusRows(hosts)).join('\n')}\n${countByStatus(hosts)}\n`;
}

export function statusSummaryMarkdown(hosts: readonly HostDrift[], title: string): string {
  return `### ${title}\n\n${countByStatus(hosts)}\n\n${markdownTable(STATUS_HEADER, statusRows(hosts))}\n`;
}

/** Appends Markdown to the job summary when the runner gives a summary file; a problem to print otherwise. */
export async function writeJobSummary(
  markdown: string,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  if (!env.GITHUB_STEP_SUMMARY) return undefined;
  try {
    const core = await import('@actions/core');
    await core.summary.addRaw(markdown, true).write();
    return undefined;
  } catch (err) {
    return `could not write the job summary to ${env.GITHUB_STEP_SUMMARY}: ${(err as Error).message}`;
  }
}
