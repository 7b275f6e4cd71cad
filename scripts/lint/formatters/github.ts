// `--format github`: what a GitHub (or Gitea) Actions job shows. Pure: it returns the
// annotations, the log text and the job summary; scripts/report/github-actions.ts hands them
// to @actions/core. GitHub shows at most 10 annotations of each kind per step (50 per job),
// so the first ones are annotated and the log says how many more there are and where; Gitea
// (before 1.27) shows neither annotations nor summaries, so every finding is also in the log.
import { createHash } from 'node:crypto';
import type { Diagnostic, LintResult, Severity } from '../types.js';
import type { FormatOptions } from './options.js';
import { repoRelative } from './paths.js';
import { countFindings, oneLine, plainLines, plural, summarySentence } from './plain.js';

export type AnnotationKind = 'error' | 'warning' | 'notice';

export interface GithubAnnotation {
  kind: AnnotationKind;
  message: string;
  properties: {
    title: string;
    file: string;
    startLine: number;
    endLine: number;
    startColumn?: number;
    endColumn?: number;
  };
}

export interface GithubReport {
  annotations: GithubAnnotation[];
  /** Findings the limits left without an annotation, by kind. */
  unannotated: Record<AnnotationKind, number>;
  /** Plain text for the job log (a collapsed group of every finding, then the totals). */
  log: string;
  /** Markdown for the job summary. */
  summary: string;
}

export interface GithubLimits {
  perKind: number;
  perJob: number;
  summaryBytes: number;
}

/** GitHub's documented limits; the summary keeps room under its 1 MiB per step. */
export const GITHUB_LIMITS: GithubLimits = { perKind: 10, perJob: 50, summaryBytes: 1024 * 1024 - 16 * 1024 };

const KIND: Record<Severity, AnnotationKind> = { error: 'error', warning: 'warning', info: 'notice' };

/** Above this many findings the summary table is folded into a <details> block. */
const OPEN_TABLE_ROWS = 20;

export function githubReport(
  result: LintResult,
  opts: FormatOptions,
  limits: GithubLimits = GITHUB_LIMITS,
): GithubReport {
  const annotations: GithubAnnotation[] = [];
  const unannotated: Record<AnnotationKind, number> = { error: 0, warning: 0, notice: 0 };
  const perKind: Record<AnnotationKind, number> = { error: 0, warning: 0, notice: 0 };
  for (const d of result.diagnostics) {
    const kind = KIND[d.severity];
    if (perKind[kind] >= limits.perKind || annotations.length >= limits.perJob) {
      unannotated[kind]++;
      continue;
    }
    perKind[kind]++;
    annotations.push(annotation(d, kind, opts));
  }
  const counts = countFindings(result.diagnostics);
  const sentence = summarySentence(result.files, counts);
  return {
    annotations,
    unannotated,
    log: logText(result.diagnostics, sentence, unannotated),
    summary: summaryMarkdown(result, opts, sentence, limits.summaryBytes),
  };
}

function annotation(d: Diagnostic, kind: AnnotationKind, opts: FormatOptions): GithubAnnotation {
  const properties: GithubAnnotation['properties'] = {
    title: `tappaas lint: ${d.rule}`,
    file: repoRelative(d.file, opts.cwd, opts.root) ?? d.file,
    startLine: d.line,
    endLine: d.endLine,
  };
  // GitHub refuses columns on an annotation that spans lines.
  if (d.line === d.endLine) {
    properties.startColumn = d.column;
    properties.endColumn = Math.max(d.endColumn, d.column);
  }
  return { kind, message: d.help ? `${d.message}\n${d.help}` : d.message, properties };
}

function logText(diagnostics: Diagnostic[], sentence: string, unannotated: Record<AnnotationKind, number>) {
  const out: string[] = [];
  if (diagnostics.length) {
    const body = diagnostics.flatMap(plainLines);
    // File names and messages come from the pushed code: stop workflow commands while they
    // print, so a crafted `::…::` line cannot act on the runner. The token depends on the
    // text itself, so the text cannot contain it.
    const token = `tappaas-${createHash('sha256').update(body.join('\n')).digest('hex').slice(0, 32)}`;
    out.push(`::group::tappaas lint: ${plural(diagnostics.length, 'finding')}`);
    out.push(`::stop-commands::${token}`, ...body, `::${token}::`);
    out.push('::endgroup::');
  }
  out.push(`tappaas lint: ${sentence}`);
  const missing = (Object.entries(unannotated) as [AnnotationKind, number][]).filter(([, n]) => n > 0);
  if (missing.length) {
    const list = missing.map(([kind, n]) => plural(n, kind)).join(', ');
    out.push(
      `tappaas lint: ${list} more than GitHub annotates in one step; all findings are in the job summary and in the "tappaas lint" group above.`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Text safe inside a markdown table cell: no row breaks, no column breaks, no raw HTML. */
function cell(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
}

function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Where the linted commit's files are on the forge, from the variables Actions runners set:
 * GitHub shows a file at `/blob/<sha>/`, Gitea at `/src/commit/<sha>/`.
 */
export function fileLinkBaseFromEnv(env: Record<string, string | undefined>): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  if (!server || !repo || !sha || !/^[0-9a-f]{7,64}$/.test(sha)) return undefined;
  const path = env.GITEA_ACTIONS === 'true' ? 'src/commit' : 'blob';
  return `${server.replace(/\/+$/, '')}/${repo}/${path}/${sha}`;
}

function code(text: string): string {
  return `<code>${cell(text)}</code>`;
}

function summaryMarkdown(result: LintResult, opts: FormatOptions, sentence: string, maxBytes: number) {
  const counts = countFindings(result.diagnostics);
  const icon = counts.error ? '❌' : counts.warning || counts.info ? '⚠️' : '✅';
  const head = [
    `### ${icon} tappaas lint`,
    '',
    sentence.replace(/^/, '**').replace(/$/, '**'),
    '',
    '| Errors | Warnings | Info | Fixable |',
    '| ---: | ---: | ---: | ---: |',
    `| ${counts.error} | ${counts.warning} | ${counts.info} | ${counts.fixable} |`,
    '',
  ];
  if (result.diagnostics.length === 0) return `${head.join('\n')}\n`;
  const folded = result.diagnostics.length > OPEN_TABLE_ROWS;
  const open = folded ? [`<details><summary>All ${result.diagnostics.length} findings</summary>`, ''] : [];
  const tableHead = ['| Location | Rule | Severity | Message |', '| --- | --- | --- | --- |'];
  const close = folded ? ['', '</details>'] : [];
  const bytes = (lines: string[]) => Buffer.byteLength(`${lines.join('\n')}\n`);
  // Room for the closing lines and a "not shown" note, so the total stays under the limit.
  let budget = maxBytes - bytes([...head, ...open, ...tableHead, ...close]) - 200;
  const rows: string[] = [];
  for (const d of result.diagnostics) {
    const rel = repoRelative(d.file, opts.cwd, opts.root);
    const location = code(`${rel ?? d.file}:${d.line}`);
    const linked =
      opts.fileLinkBase && rel !== undefined
        ? `<a href="${attr(`${opts.fileLinkBase}/${rel.split('/').map(encodeURIComponent).join('/')}#L${d.line}`)}">${location}</a>`
        : location;
    const row = `| ${linked} | ${code(d.rule)} | ${d.severity} | ${cell(d.message)} |`;
    budget -= Buffer.byteLength(row) + 1;
    if (budget < 0) break;
    rows.push(row);
  }
  const cut = result.diagnostics.length - rows.length;
  const note = cut
    ? ['', `${plural(cut, 'more finding')} not shown here (summary size limit): see the job log.`]
    : [];
  return `${[...head, ...open, ...tableHead, ...rows, ...note, ...close].join('\n')}\n`;
}
