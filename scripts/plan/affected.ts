// Which hosts a change can affect: pure, over the host graphs of the base and head trees and
// the changed paths. Conservative: what cannot be attributed to some hosts affects all of
// them; a role module whose change lies only inside its `config = mkIf cfg.enable { … }`
// body (same option declarations, same defined names) affects only the hosts enabling it.
import { isUnder } from '../fleet/layout.js';
import type { FileDeps } from './file-deps.js';
import type { HostGraph } from './import-graph.js';

export interface TreeFacts {
  graph: HostGraph;
  deps: ReadonlyMap<string, FileDeps>;
  hosts: readonly string[];
}

export interface AffectInput {
  base: TreeFacts;
  head: TreeFacts;
  /** Paths the change touches (both sides of renames). */
  changed: readonly string[];
  flake: string;
  lock: string;
  /** The fleet folder: a changed file there that no host uses still affects all (unknown use). */
  fleetRoot: string;
}

export interface Affected {
  /** Set when every host is affected, with the reason. */
  all?: string;
  /** Affected hosts (of head or base) and, for each, the changed files that reach it. */
  hosts: Map<string, string[]>;
  /** Changed files no host uses (outside the fleet folder, referenced by no Nix file). */
  ignored: string[];
}

export function affectedHosts(input: AffectInput): Affected {
  const { base, head, changed, flake, lock, fleetRoot } = input;
  const allHosts = [...new Set([...base.hosts, ...head.hosts])].sort();
  const everyHost = (reason: string): Affected => ({
    all: reason,
    hosts: new Map(allHosts.map((h) => [h, [reason]])),
    ignored: [],
  });
  if (changed.length === 0) return { hosts: new Map(), ignored: [] };
  for (const special of [flake, lock]) {
    if (changed.includes(special)) return everyHost(`${special} changed`);
  }
  for (const tree of [base, head]) {
    if (tree.graph.wholeTree) return everyHost(tree.graph.wholeTree);
    if (tree.graph.unknown.length > 0)
      return everyHost(`cannot read the imports of ${tree.graph.unknown.join(', ')}`);
  }
  const hosts = new Map<string, string[]>();
  const ignored: string[] = [];
  for (const file of changed) {
    const users = new Set<string>();
    for (const tree of [base, head]) {
      for (const [h, files] of tree.graph.perHost) if (files.has(file)) users.add(h);
    }
    if (users.size === 0) {
      if (isUnder(file, fleetRoot))
        return everyHost(`${file} changed and no host imports it statically (it may be read dynamically)`);
      ignored.push(file);
      continue;
    }
    const role = gatedRole(file, base, head);
    for (const h of users) {
      if (role && !role.hosts.has(h)) continue;
      const reasons = hosts.get(h) ?? [];
      reasons.push(file);
      hosts.set(h, reasons);
    }
  }
  return { hosts, ignored };
}

/** The role whose hosts alone a change to `file` can affect, with those hosts; else undefined. */
function gatedRole(
  file: string,
  base: TreeFacts,
  head: TreeFacts,
): { role: string; hosts: Set<string> } | undefined {
  const a = base.deps.get(file)?.roleGate;
  const b = head.deps.get(file)?.roleGate;
  if (!a || !b || a.role !== b.role || a.outside !== b.outside || a.keys.join('\n') !== b.keys.join('\n'))
    return undefined;
  const hosts = new Set<string>();
  for (const tree of [base, head]) {
    for (const [h, files] of tree.graph.perHost) {
      for (const f of files) {
        for (const e of tree.deps.get(f)?.roleEnables ?? []) {
          if (e.role !== a.role) continue;
          // Enabled by a computed value somewhere: who has the role is not known statically.
          if (!e.literal) return undefined;
          hosts.add(h);
        }
      }
    }
  }
  return { role: a.role, hosts };
}
