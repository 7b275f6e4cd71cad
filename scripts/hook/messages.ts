// What the pusher reads (as `remote:` lines): one block per ref with problems, naming the
// ref, commit, file:line, rule and fix; then one summary line. Pure.
import type { Identity, Problem, RefDecision } from '../policy/types.js';
import type { InputProblem } from './protocol.js';

export interface ReportInput {
  decisions: (RefDecision & { newOid: string })[];
  identity: Identity;
  origin: string;
}

function where(p: Problem): string {
  const parts: string[] = [];
  if (p.file) parts.push(p.line ? `${p.file}:${p.line}${p.column ? `:${p.column}` : ''}` : p.file);
  if (p.commit) parts.push(`commit ${p.commit.slice(0, 12)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function formatProblem(p: Problem): string {
  return `  ${p.severity} [${p.rule}]${where(p)}: ${p.message}\n      fix: ${p.fix}\n`;
}

export function formatReport({ decisions, identity, origin }: ReportInput): string {
  let out = '';
  let errors = 0;
  let warnings = 0;
  for (const d of decisions) {
    if (d.problems.length === 0) continue;
    const e = d.problems.filter((p) => p.severity === 'error').length;
    const w = d.problems.filter((p) => p.severity === 'warning').length;
    errors += e;
    warnings += w;
    const tip = /^0+$/.test(d.newOid) ? 'deletion' : `new tip ${d.newOid.slice(0, 12)}`;
    const head = d.accepted
      ? `tappaas: ${d.ref} accepted${w ? ` with ${w} warning${w === 1 ? '' : 's'}` : ''} (${tip})`
      : `tappaas: REJECTED ${d.ref} (${tip}): ${e} error${e === 1 ? '' : 's'}${w ? `, ${w} warning${w === 1 ? '' : 's'}` : ''}`;
    out += `${head}\n`;
    const rank = { error: 0, warning: 1, note: 2 } as const;
    const sorted = [...d.problems].sort((a, b) => rank[a.severity] - rank[b.severity]);
    for (const p of sorted) out += formatProblem(p);
  }
  const rejected = decisions.filter((d) => !d.accepted).length;
  const total = decisions.length;
  const pusher = identity.anonymous ? 'anonymous pusher' : `pusher ${identity.display}`;
  if (rejected) {
    out += `tappaas: push rejected: ${rejected} of ${total} ref${total === 1 ? '' : 's'} failed (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}); nothing was updated. ${pusher}; policy from ${origin}\n`;
  } else {
    out += `tappaas: ${total} ref${total === 1 ? '' : 's'} passed${warnings ? ` with ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}. ${pusher}; policy from ${origin}\n`;
  }
  return out;
}

export function formatInputProblems(problems: InputProblem[]): string {
  let out = 'tappaas: REJECTED: the hook received update lines it cannot trust\n';
  for (const p of problems) {
    out += `  error [hook-input] line ${p.line} ${JSON.stringify(p.text)}: ${p.message}\n`;
  }
  out +=
    '      fix: this comes from the git server, not from your commits; tell the server admin (the hook must be run by git as pre-receive)\n';
  out += `tappaas: push rejected: ${problems.length} bad update line${problems.length === 1 ? '' : 's'}; nothing was updated\n`;
  return out;
}
