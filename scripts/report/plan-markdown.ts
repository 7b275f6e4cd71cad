// A plan as GitHub-flavoured markdown: the job summary and the PR comment. A table of hosts
// and statuses, then one collapsible section per changed host with its closure diff. Pure.
import { formatBytes } from '../plan/closure-diff.js';
import type { HostPlan, PlanReport } from '../plan/plan.js';
import { headline, notEvaluated, shownHosts } from './plan-text.js';

const ICON: Record<string, string> = {
  unchanged: '⚪',
  changed: '🟡',
  added: '🟢',
  removed: '🔴',
  error: '❌',
};

/** Text safe inside a table cell or summary: no pipes, no HTML, one line. */
function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\s*\r?\n\s*/g, ' ');
}

function code(text: string): string {
  return `<code>${cell(text)}</code>`;
}

function closureSection(h: HostPlan): string {
  const d = h.closure;
  const rows: string[] = [];
  let summary = '';
  if (d) {
    for (const c of d.changed)
      rows.push(
        `| ${cell(c.name)} | ${cell(c.old.join(', '))} | ${cell(c.new.join(', '))} | ${cell(c.size ?? '')} |`,
      );
    for (const c of d.added)
      rows.push(`| ${cell(c.name)} | ∅ | ${cell(c.new.join(', '))} | ${cell(c.size ?? '')} |`);
    for (const c of d.removed)
      rows.push(`| ${cell(c.name)} | ${cell(c.old.join(', '))} | ∅ | ${cell(c.size ?? '')} |`);
    for (const c of d.resized) rows.push(`| ${cell(c.name)} | | | ${cell(c.size ?? '')} |`);
    const counts = [
      d.changed.length && `${d.changed.length} upgraded/downgraded`,
      d.added.length && `${d.added.length} added`,
      d.removed.length && `${d.removed.length} removed`,
    ].filter(Boolean);
    summary = counts.length ? counts.join(', ') : 'same packages';
    if (d.sizeDelta !== undefined) summary += `, closure ${formatBytes(d.sizeDelta, true)}`;
  }
  const body: string[] = [];
  if (rows.length) body.push('| package | old | new | size |', '|---|---|---|---|', ...rows);
  else if (d) body.push('Same packages and versions; only store paths differ.');
  if (d?.oldSize !== undefined && d.newSize !== undefined)
    body.push('', `Closure size: ${formatBytes(d.oldSize)} → ${formatBytes(d.newSize)}.`);
  if (h.closureError) body.push('', `No closure diff: ${cell(h.closureError)}`);
  return [
    `<details><summary><b>${cell(h.name)}</b>: ${cell(summary || 'no closure diff')}</summary>`,
    '',
    ...body,
    '',
    '</details>',
  ].join('\n');
}

export function planMarkdown(r: PlanReport): string {
  const out = [`### tappaas plan \`${cell(r.from)}..${cell(r.to)}\``, '', headline(r), ''];
  if (r.all) out.push(`Every host was evaluated: ${cell(r.all)}.`, '');
  out.push('| host | status | old | new | why |', '|---|---|---|---|---|');
  for (const h of shownHosts(r.hosts)) {
    const status = h.error !== undefined ? `${ICON.error} error` : `${ICON[h.status]} ${h.status}`;
    const why =
      h.error !== undefined
        ? `evaluation failed${h.errorAt ? ` at ${code(h.errorAt)}` : ''}: ${cell(h.error.split('\n')[0] ?? '')}`
        : !h.evaluated
          ? 'not affected'
          : r.all
            ? ''
            : h.reasons.map(code).join(' ');
    out.push(
      `| ${cell(h.name)} | ${status} | ${h.old ? code(h.old) : ''} | ${h.new ? code(h.new) : ''} | ${why} |`,
    );
  }
  const skipped = notEvaluated(r.hosts);
  if (skipped.length)
    out.push(
      '',
      `<details><summary>${ICON.unchanged} ${skipped.length} host(s) not affected by the change (unchanged, not evaluated)</summary>`,
      '',
      skipped.map(cell).join(', '),
      '',
      '</details>',
    );
  const withDiff = r.hosts.filter((h) => h.closure || h.closureError);
  if (withDiff.length) out.push('', '#### Closure diffs', '', ...withDiff.map(closureSection));
  if (r.ignored.length) out.push('', `Files no host uses: ${r.ignored.map(code).join(' ')}`);
  return `${out.join('\n')}\n`;
}
