// What the pusher reads (as `remote:` lines): one block per ref with problems, naming the
// ref, commit, file:line, rule and fix; then one summary line. Also what the hook writes about
// a push to the server's logs. Pure.
import { grouped } from '../policy/content.js';
import type { Identity, Problem, RefDecision } from '../policy/types.js';
import { type InputProblem, parseUpdates } from './protocol.js';

/**
 * Problems printed per ref at most, errors first; the rest are counted. A push with thousands
 * of findings (2,000 warnings once printed 4,005 lines) tells no more with all of them.
 */
export const MAX_SHOWN_PER_REF = 50;

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
      ? `tappaas: ${d.ref} accepted${w ? ` with ${count(w, 'warning')}` : ''} (${tip})`
      : `tappaas: REJECTED ${d.ref} (${tip}): ${count(e, 'error')}${w ? `, ${count(w, 'warning')}` : ''}`;
    out += `${head}\n`;
    const rank = { error: 0, warning: 1, note: 2 } as const;
    const sorted = [...d.problems].sort((a, b) => rank[a.severity] - rank[b.severity]);
    for (const p of sorted.slice(0, MAX_SHOWN_PER_REF)) out += formatProblem(p);
    if (sorted.length > MAX_SHOWN_PER_REF) out += notShown(sorted.slice(MAX_SHOWN_PER_REF), d.newOid);
  }
  const rejected = decisions.filter((d) => !d.accepted).length;
  const total = decisions.length;
  const pusher = identity.anonymous ? 'anonymous pusher' : `pusher ${identity.display}`;
  if (rejected) {
    out += `tappaas: push rejected: ${rejected} of ${count(total, 'ref')} failed (${count(errors, 'error')}, ${count(warnings, 'warning')}); nothing was updated. ${pusher}; policy from ${origin}\n`;
  } else {
    out += `tappaas: ${count(total, 'ref')} passed${warnings ? ` with ${count(warnings, 'warning')}` : ''}. ${pusher}; policy from ${origin}\n`;
  }
  return out;
}

function count(n: number, noun: string): string {
  return `${grouped(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** The line that stands for the problems beyond MAX_SHOWN_PER_REF. */
function notShown(rest: readonly Problem[], newOid: string): string {
  const by = (s: Problem['severity']) => rest.filter((p) => p.severity === s).length;
  const kinds = [count(by('error'), 'error'), count(by('warning'), 'warning'), count(by('note'), 'note')];
  const where = /^0+$/.test(newOid) ? '' : ` at ${newOid.slice(0, 12)}`;
  return (
    `  ... and ${grouped(rest.length)} more not shown (${kinds.join(', ')}; at most ${MAX_SHOWN_PER_REF} are shown per ref)\n` +
    `      fix: see them all with \`npx tappaas check --from <base>\`${where}, or \`npx tappaas lint <files>\`\n`
  );
}

/**
 * An internal error as the pusher may read it: its first line, with the server's absolute
 * paths cut to their last part. Never a stack trace: the full error goes to the server's log.
 */
export function publicErrorMessage(err: unknown): string {
  const message = (err as { message?: unknown })?.message;
  const text = typeof message === 'string' && message ? message : String(err);
  const line = text.split('\n')[0]!.trim();
  const short = line.replace(/(^|[\s'"`(=:])\/(?:[^\s'"`()]*\/)?([^\s'"`()/]*)/g, '$1…/$2');
  return short.length > 300 ? `${short.slice(0, 300)}…` : short;
}

/**
 * A break-glass log line: what the gate would have said, who pushed, and which refs moved
 * (old..new, abbreviated). Input git gave that is not update lines is kept, quoted.
 */
export function breakGlassLogLine(verdict: string, identity: Identity, input: Uint8Array): string {
  const { updates, problems } = parseUpdates(input);
  const refs = updates.map((u) => {
    const side = (oid: string) => (/^0+$/.test(oid) ? '(none)' : oid.slice(0, 12));
    return `${u.ref} ${side(u.oldOid)}..${side(u.newOid)}`;
  });
  const bad = problems.map((p) => `line ${p.line} ${JSON.stringify(p.text)}`);
  const who = identity.anonymous ? 'anonymous' : `${identity.display} [${identity.principals.join(' ')}]`;
  return `${verdict}; pusher ${who}; refs: ${[...refs, ...bad].join(', ') || '(none)'}`;
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
