// A plan as plain lines for a log (Gitea shows neither annotations nor summaries before 1.27)
// and, painted, for a terminal. Pure: `(plan) => string`.
import { formatBytes } from '../plan/closure-diff.js';
import type { HostPlan, HostStatus, PlanReport } from '../plan/plan.js';
import { type Paint, painter, printable } from '../term/colors.js';

const STATUS_STYLE: Record<HostStatus, Parameters<Paint>[0]> = {
  unchanged: 'gray',
  changed: 'yellow',
  added: 'green',
  removed: 'red',
};

const ORDER: Record<string, number> = { error: 0, changed: 1, added: 2, removed: 3, unchanged: 4 };

/** Hosts to list one per line, what needs attention first: all but the unaffected ones. */
export function shownHosts(hosts: readonly HostPlan[]): HostPlan[] {
  const key = (h: HostPlan) => ORDER[h.error !== undefined ? 'error' : h.status]!;
  return hosts.filter((h) => h.evaluated).sort((a, b) => key(a) - key(b) || a.name.localeCompare(b.name));
}

/** Names of the hosts the change cannot affect (unchanged without evaluation). */
export function notEvaluated(hosts: readonly HostPlan[]): string[] {
  return hosts.filter((h) => !h.evaluated).map((h) => h.name);
}

export function headline(r: PlanReport): string {
  const s = r.summary;
  const parts = [
    `${s.changed} changed`,
    `${s.added} added`,
    `${s.removed} removed`,
    `${s.unchanged} unchanged`,
  ];
  const errors = s.errors ? `, ${s.errors} failed to evaluate` : '';
  return `${parts.join(', ')}${errors} (${s.evaluated} of ${r.hosts.length} hosts evaluated)`;
}

export function closureLines(h: HostPlan): string[] {
  const out: string[] = [];
  const d = h.closure;
  if (d) {
    for (const c of d.changed)
      out.push(`${c.name}: ${c.old.join(', ')} → ${c.new.join(', ')}${c.size ? `, ${c.size}` : ''}`);
    for (const c of d.added) out.push(`${c.name}: added ${c.new.join(', ')}${c.size ? `, ${c.size}` : ''}`);
    for (const c of d.removed)
      out.push(`${c.name}: removed ${c.old.join(', ')}${c.size ? `, ${c.size}` : ''}`);
    for (const c of d.resized) out.push(`${c.name}: ${c.size}`);
    if (d.sizeDelta !== undefined && d.oldSize !== undefined && d.newSize !== undefined)
      out.push(
        `closure size: ${formatBytes(d.sizeDelta, true)} (${formatBytes(d.oldSize)} → ${formatBytes(d.newSize)})`,
      );
    if (out.length === 0) out.push('same packages and versions (only store paths differ)');
  }
  if (h.closureError) out.push(`no closure diff: ${h.closureError}`);
  return out.map(printable);
}

function detail(h: HostPlan): string {
  if (h.error !== undefined) return `evaluation failed${h.errorAt ? ` at ${h.errorAt}` : ''}`;
  if (!h.evaluated) return 'not affected by the change';
  switch (h.status) {
    case 'added':
      return `new ${h.new}`;
    case 'removed':
      return h.old ? `was ${h.old}` : 'removed';
    case 'changed':
      return `${h.old ?? '(base failed to evaluate)'} → ${h.new}`;
    case 'unchanged':
      return `same system ${h.new}`;
  }
}

export function planText(r: PlanReport, color = false): string {
  const paint = painter(color);
  const shown = shownHosts(r.hosts);
  const width = Math.max(4, ...shown.map((h) => h.name.length));
  const lines = [paint('bold', `tappaas plan ${r.from}..${r.to}: ${headline(r)}`)];
  if (r.all) lines.push(`every host evaluated: ${printable(r.all)}`);
  if (r.ignored.length) lines.push(`files no host uses: ${r.ignored.map(printable).join(', ')}`);
  for (const h of shown) {
    const status =
      h.error !== undefined
        ? paint('red', 'error'.padEnd(9))
        : paint(STATUS_STYLE[h.status], h.status.padEnd(9));
    lines.push(`  ${status}  ${h.name.padEnd(width)}  ${printable(detail(h))}`);
    if (h.error !== undefined) for (const l of h.error.split('\n')) lines.push(`      ${printable(l)}`);
    if (h.baseError !== undefined)
      lines.push(`      at base: ${printable(h.baseError.split('\n')[0] ?? '')}`);
    if (h.evaluated && h.status !== 'unchanged' && h.reasons.length && !r.all)
      lines.push(paint('dim', `      because of ${h.reasons.map(printable).join(', ')}`));
    for (const l of closureLines(h)) lines.push(`      ${l}`);
  }
  const skipped = notEvaluated(r.hosts);
  if (skipped.length)
    lines.push(
      `  ${paint('gray', 'unchanged'.padEnd(9))}  ${skipped.length} host(s) not affected by the change: ${skipped.map(printable).join(', ')}`,
    );
  return `${lines.join('\n')}\n`;
}
