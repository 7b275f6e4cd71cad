// Definitions of NixOS options that nixpkgs renamed or removed (scripts/nixos/renamed-options.json).
//
// Severity follows what NixOS does (lib/modules.nix). A removed option (mkRemovedOptionModule)
// throws, and its assertion fails the build: an error. A renamed one (mkRenamedOptionModule)
// forwards the value to the new name and only prints a warning, and so does a changed one
// (mkChangedOptionModule, which converts the value): warnings here too, with the fix. They
// stay worth fixing: nixpkgs drops rename shims after a few releases, and then the old name
// fails as an unknown option on an unrelated `nix flake update`.
//
// Option `nixosRelease` ("24.05"): the release the fleet's nixpkgs is on; changes made in
// later releases are not reported (on 24.05, `hardware.opengl` is still the right name).
// Aliases (mkAliasOptionModule) are never reported: NixOS accepts both names silently.
// Only top-level module definitions are checked, not inline modules inside `imports`.
import type { Node } from 'web-tree-sitter';
import type { AttrDefinition } from '../../nix-ast/attrpaths.js';
import { moduleInfo } from '../../nix-ast/module.js';
import {
  formatOptionPath,
  type LookupOptions,
  lookupOptionChange,
  mayHaveChange,
  mentionsAnyChange,
  type ResolvedChange,
} from '../../nixos/renamed-options.js';
import type { Fix, ReportDescriptor, Rule } from '../types.js';

/** One definition that runs into a change. */
interface Finding {
  def: AttrDefinition;
  path: string[];
  hit: ResolvedChange;
  /** Indices of the old path's segments that the change touches: [first, last]. */
  first: number;
  last: number;
  /** How many leading segments of the path the change's entries name (the rest is kept). */
  named: number;
}

/** A rewrite of some segments of one attrpath node. */
interface Edit {
  attrpath: Node;
  start: number;
  end: number;
  text: string;
}

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Definitions of NixOS options that nixpkgs renamed or removed, with the release that did it.',
      why: "A removed option stops the host from evaluating; a renamed one evaluates with a warning until nixpkgs drops the old name, and then fails the same way, usually on an unrelated `nix flake update`. Both are found here at push time, with the new name or nixpkgs' own explanation.",
      bad: 'hardware.opengl = {\n  enable = true;\n  driSupport = true;\n  driSupport32Bit = true;\n};',
      good: 'hardware.graphics = {\n  enable = true;\n  enable32Bit = true;\n};',
      certainty:
        'A removed option is certain: NixOS throws and the host does not evaluate (an error). A renamed option (and a changed one, whose value NixOS converts) still evaluates with a warning from NixOS, so it is a warning here too, with the new name and a fix where the key can be rewritten. Only reported in NixOS modules.',
    },
    messages: {
      renamed: '`{{old}}` was renamed to `{{new}}`{{since}}.',
      removed: '`{{old}}` was removed{{since}}: {{note}}',
      renamedThenRemoved: '`{{old}}` was renamed to `{{via}}`, which was later removed{{since}}: {{note}}',
      changed: '`{{old}}` was replaced by `{{new}}`{{since}}: {{note}}',
    },
    defaultLevel: 'error',
    certainty: 'mixed',
    scope: 'nixos',
    fixable: 'code',
    schema: {
      type: 'object',
      properties: {
        nixosRelease: {
          type: 'string',
          pattern: '^\\d{2}\\.\\d{2}$',
          description:
            'The NixOS release the fleet\'s nixpkgs is on ("24.05"): changes made in later releases are not reported. Absent: every change is.',
        },
      },
      additionalProperties: false,
    },
  },
  create(context) {
    const release = context.options?.nixosRelease;
    const opts: LookupOptions = typeof release === 'string' ? { release } : {};
    return {
      Program() {
        // Resolving paths is the costly part; most files name no old option at all.
        if (!mentionsAnyChange(context.file.source)) return;
        const info = moduleInfo(context.file);
        if (!info.isModule) return;
        const findings: Finding[] = [];
        for (const def of info.definitions) {
          const path = staticPrefix(def);
          if (path.length === 0 || !mayHaveChange(path[0] as string)) continue;
          const hit = lookupOptionChange(path, opts);
          if (!hit || hit.chain.every((e) => e.kind === 'alias')) continue;
          findings.push({ def, path, hit, ...touched(path, hit), named: namedLength(path, hit) });
        }
        if (findings.length === 0) return;
        const fixes = planFixes(info.definitions, findings, context.file.source);
        // Leaves under one renamed key give one report there (`hardware.pulseaudio = { … }`).
        const reports = new Map<string, ReportDescriptor>();
        for (const f of findings) {
          const [start, end] = reportNodes(f);
          const d = describe(f);
          const key = `${start.id}:${d.messageId}:${d.data.old}`;
          const fix = fixes.get(f);
          const seen = reports.get(key);
          if (seen) {
            if (fix && !seen.fix) seen.fix = fix;
            continue;
          }
          reports.set(key, {
            range: {
              line: start.startPosition.row + 1,
              column: start.startPosition.column + 1,
              endLine: end.endPosition.row + 1,
              endColumn: end.endPosition.column + 1,
            },
            messageId: d.messageId,
            data: d.data,
            // Only a removal stops evaluation; NixOS carries on past a rename with a warning.
            ...(d.certain ? {} : { severity: 'warning' as const }),
            ...(fix ? { fix } : {}),
            help: d.help,
          });
        }
        for (const r of reports.values()) context.report(r);
      },
    };
  },
};

/** The path up to the first dynamic (`${…}`) segment. */
function staticPrefix(def: AttrDefinition): string[] {
  const out: string[] = [];
  for (const s of def.segments) {
    if (s.name === undefined) break;
    out.push(s.name);
  }
  return out;
}

/**
 * How many leading segments of `path` the change names, following its chain: `hardware.
 * pulseaudio.enable` runs into `hardware.pulseaudio` -> `services.pulseaudio`, which names
 * two (the message says `hardware.pulseaudio`, not just the differing `hardware`).
 */
function namedLength(path: string[], hit: ResolvedChange): number {
  let current: readonly string[] = path;
  let kept = path.length;
  for (const e of hit.chain) {
    kept = Math.min(kept, current.length - e.from.length);
    if (!e.to) break;
    current = [...e.to, ...current.slice(e.from.length)];
  }
  return path.length - kept;
}

/**
 * Which old segments a change touches: those between the common prefix and the common
 * suffix of the old and new paths (`hardware.opengl.enable` -> `hardware.graphics.enable`
 * touches `opengl` only). A removal touches the removed name.
 */
function touched(path: string[], hit: ResolvedChange): { first: number; last: number } {
  const fromEnd = hit.entry.from.length - 1;
  const renamed = hit.newPath;
  // Removed or changed: the whole name goes, so underline all of it that the key spells.
  if (!renamed || hit.chain.some((e) => e.kind === 'changed')) return { first: 0, last: fromEnd };
  let p = 0;
  while (p < path.length && p < renamed.length && path[p] === renamed[p]) p++;
  let s = 0;
  const room = Math.min(path.length, renamed.length) - p;
  while (s < room && path[path.length - 1 - s] === renamed[renamed.length - 1 - s]) s++;
  const first = Math.min(p, path.length - 1);
  const last = Math.max(first, path.length - 1 - s);
  return { first, last };
}

/**
 * Start and end nodes to underline: from the first touched segment to the end of the name the
 * change gives, within the key that spells that end (`hardware.pulseaudio` whole, `opengl` of
 * `hardware.opengl.enable`, `pulseaudio` alone inside `hardware = { … }`).
 */
function reportNodes(f: Finding): [Node, Node] {
  const seg = f.def.segments;
  const end = Math.max(f.last, f.named - 1);
  const lastNode = (seg[end] ?? seg[seg.length - 1])!.node;
  let start = end;
  while (start > f.first && seg[start - 1]?.node.parent?.id === lastNode.parent?.id) start--;
  return [seg[start]!.node, lastNode];
}

function describe(f: Finding): {
  messageId: string;
  data: Record<string, string>;
  help: string;
  /** True for a removal (NixOS throws); a rename or change only warns. */
  certain: boolean;
} {
  const { hit, path } = f;
  const last = hit.chain[hit.chain.length - 1]!;
  const since = last.since ? ` in NixOS ${last.since}` : '';
  if (hit.removedBy) {
    const old = formatOptionPath(hit.entry.from);
    const note = hit.removedBy.note ?? 'nixpkgs gives no replacement.';
    const help = 'Delete this definition (nixpkgs no longer has the option).';
    if (hit.chain.length === 1)
      return { messageId: 'removed', data: { old, since, note }, help, certain: true };
    const via = formatOptionPath(hit.removedBy.from);
    return { messageId: 'renamedThenRemoved', data: { old, via, since, note }, help, certain: true };
  }
  // The names as the table holds them: the whole renamed path, old and new, with only the
  // segments below it (kept as they are) left out.
  const kept = path.length - f.named;
  const renamed = hit.newPath as string[];
  const old = formatOptionPath(path.slice(0, f.named));
  const now = formatOptionPath(renamed.slice(0, renamed.length - kept));
  const dropped = hit.chain.some((e) => e.snapshot === 'nixpkgs-2018')
    ? ' nixpkgs has since dropped most renames of that era: on a recent nixpkgs the old name fails as an unknown option.'
    : ` NixOS still accepts \`${old}\` with a warning on every rebuild, until nixpkgs drops the old name.`;
  if (hit.chain.some((e) => e.kind === 'changed')) {
    const note = hit.chain.find((e) => e.kind === 'changed')?.note ?? '';
    return {
      messageId: 'changed',
      data: { old, new: now, since, note },
      help: `Define \`${now}\` instead, with the value the note describes (no automatic fix: nixpkgs converts the value).${dropped}`,
      certain: false,
    };
  }
  const rewrite =
    kept > 0
      ? '`tappaas lint --fix` does it when every definition under the key has a new name.'
      : '`tappaas lint --fix` does it when the key can be rewritten in place.';
  return {
    messageId: 'renamed',
    data: { old, new: now, since },
    help: `Write \`${now}\` instead; ${rewrite}${dropped}`,
    certain: false,
  };
}

/**
 * Fixes that rewrite keys where the rename can be written at the keys as they are. Every
 * definition below a rewritten key must itself be renamed by that same rewrite (so
 * `hardware.opengl = { enable = …; driSupport32Bit = …; }` becomes `hardware.graphics = {
 * enable = …; enable32Bit = …; }`, but a removed or unknown key beside them blocks it).
 * All edits of one group go into one fix, reported on the group's first finding.
 */
function planFixes(all: AttrDefinition[], findings: Finding[], source: string): Map<Finding, Fix> {
  const editsOf = new Map<Finding, Edit[]>();
  for (const f of findings) {
    const edits = editsFor(f);
    if (edits) editsOf.set(f, edits);
  }
  // Which definitions each attrpath node carries (an attrpath shared by a nested attrset
  // carries every leaf below it).
  const under = new Map<number, AttrDefinition[]>();
  for (const d of all) {
    for (const s of d.segments) {
      const ap = s.node.parent;
      if (ap?.type !== 'attrpath') continue;
      const list = under.get(ap.id) ?? [];
      if (list[list.length - 1] !== d) list.push(d);
      under.set(ap.id, list);
    }
  }
  const byDef = new Map<AttrDefinition, Finding>(findings.map((f) => [f.def, f]));
  // Drop edits that some definition under the same attrpath does not agree with, until stable.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [f, edits] of editsOf) {
      const ok = edits.every((e) =>
        (under.get(e.attrpath.id) ?? []).every((d) => {
          const other = byDef.get(d);
          const theirs = other && editsOf.get(other);
          return theirs?.some((t) => sameEdit(t, e)) ?? false;
        }),
      );
      if (!ok) {
        editsOf.delete(f);
        changed = true;
      }
    }
  }
  // Group findings whose edits share an attrpath; one fix per group.
  const fixes = new Map<Finding, Fix>();
  const done = new Set<Finding>();
  for (const f of findings) {
    if (done.has(f) || !editsOf.has(f)) continue;
    const group = [f];
    done.add(f);
    for (let i = 0; i < group.length; i++) {
      for (const [g, edits] of editsOf) {
        if (done.has(g)) continue;
        const mine = editsOf.get(group[i] as Finding) ?? [];
        if (edits.some((e) => mine.some((m) => m.attrpath.id === e.attrpath.id))) {
          group.push(g);
          done.add(g);
        }
      }
    }
    const unique = new Map<string, Edit>();
    for (const g of group) for (const e of editsOf.get(g) ?? []) unique.set(`${e.start}:${e.end}`, e);
    const edits = [...unique.values()].sort((a, b) => a.start - b.start);
    const start = edits[0]!.start;
    const end = edits[edits.length - 1]!.end;
    let text = '';
    let at = start;
    for (const e of edits) {
      text += source.slice(at, e.start) + e.text;
      at = e.end;
    }
    text += source.slice(at, end);
    fixes.set(f, { start, end, text });
  }
  return fixes;
}

function sameEdit(a: Edit, b: Edit): boolean {
  return a.start === b.start && a.end === b.end && a.text === b.text;
}

/**
 * The key rewrites that turn this definition's path into its new one, or undefined when
 * the rename cannot be written at these keys: touched segments spread over several keys
 * with a change of length, dynamic or inherited keys, or a change of value (`changed`).
 */
function editsFor(f: Finding): Edit[] | undefined {
  const { hit, path, def } = f;
  const renamed = hit.newPath;
  if (!renamed || hit.chain.some((e) => e.kind === 'changed')) return undefined;
  if (def.segments.length !== path.length) return undefined;
  const kept = path.length - 1 - f.last;
  const replacement = renamed.slice(f.first, renamed.length - kept);
  if (replacement.length === 0) return undefined;
  const touchedSegs = def.segments.slice(f.first, f.last + 1);
  if (touchedSegs.some((s) => s.node.parent?.type !== 'attrpath')) return undefined;
  // Split the touched segments by the attrpath (key) that spells them.
  const runs: { attrpath: Node; from: number; to: number }[] = [];
  for (let i = f.first; i <= f.last; i++) {
    const ap = def.segments[i]!.node.parent as Node;
    const run = runs[runs.length - 1];
    if (run && run.attrpath.id === ap.id) run.to = i;
    else runs.push({ attrpath: ap, from: i, to: i });
  }
  const oldLength = f.last - f.first + 1;
  if (runs.length > 1 && replacement.length !== oldLength) return undefined;
  return runs.map((run) => {
    const names =
      runs.length === 1 ? replacement : replacement.slice(run.from - f.first, run.to - f.first + 1);
    return {
      attrpath: run.attrpath,
      start: def.segments[run.from]!.node.startIndex,
      end: def.segments[run.to]!.node.endIndex,
      text: formatOptionPath(names),
    };
  });
}

export default rule;
