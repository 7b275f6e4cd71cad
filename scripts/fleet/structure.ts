// Structure checks of the fleet: pure functions of the layout, the listing of repository
// files and the facts of each fleet file. Findings use the lint Diagnostic shape (paths
// repo-relative here; the command turns them into display paths), so every formatter and
// the ratchet treat them like lint findings.
import { posix } from 'node:path';
import type { FleetLayout } from '../config/fleet.js';
import type { TappaasConfig } from '../config/types.js';
import type { Diagnostic, Severity } from '../lint/types.js';
import type { SourceRange } from '../nix-ast/index.js';
import { hostNameProblem } from '../policy/registration.js';
import { FLEET_DOCS } from './docs.js';
import type { FileFacts, PathRef } from './facts.js';
import {
  directChildren,
  fleetNixFiles,
  hardwareEntries,
  hardwarePath,
  hostEntries,
  hostPath,
  isUnder,
} from './layout.js';

/** Every structure rule and its default severity (for `lint.rules` levels); docs in docs.ts. */
export const FLEET_RULES: Record<string, { severity: Severity; description: string }> = Object.fromEntries(
  Object.entries(FLEET_DOCS)
    .filter(([id]) => id.startsWith('fleet-'))
    .map(([id, { severity, docs }]) => [id, { severity, description: docs.description }]),
);

export interface FleetInput {
  layout: FleetLayout;
  /** Every file of the tree (repo-relative), not only `.nix` ones: folders are inferred from it. */
  files: readonly string[];
  /** Facts of each fleet `.nix` file (those that could be read), by repo-relative path. */
  facts: ReadonlyMap<string, FileFacts>;
}

const TOP: SourceRange = { line: 1, column: 1, endLine: 1, endColumn: 1 };

function finding(file: string, rule: string, message: string, range: SourceRange = TOP): Diagnostic {
  return { file, rule, severity: FLEET_RULES[rule]!.severity, message, ...range };
}

export function checkStructure(input: FleetInput): Diagnostic[] {
  return [
    ...checkPairs(input),
    ...checkNames(input),
    ...checkHostNames(input),
    ...checkRoles(input),
    ...checkFlakeHosts(input),
    ...checkImports(input),
  ];
}

/** Each host has `<hardware>/<host>-hw.nix`, and each hardware file a host. */
/** `lint.rules` levels apply to the fleet rules too: `"fleet-role-count": "off"` turns one off. */
export function applyLevels(list: Diagnostic[], config: TappaasConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of list) {
    const setting = config.lint?.rules?.[d.rule];
    const level = Array.isArray(setting) ? setting[0] : setting;
    if (level === 'off') continue;
    out.push(level && Object.hasOwn(FLEET_RULES, d.rule) ? { ...d, severity: level as Severity } : d);
  }
  return out;
}

export function checkPairs({ layout, files }: FleetInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hosts = hostEntries(files, layout);
  const hardware = hardwareEntries(files, layout);
  const hostSet = new Set(hosts.map((h) => h.name));
  const hwSet = new Set(hardware.map((h) => h.name));
  for (const h of hosts) {
    if (hwSet.has(h.name)) continue;
    const hw = hardwarePath(layout, h.name);
    out.push(
      finding(
        h.file,
        'fleet-missing-hardware',
        `host "${h.name}" has no hardware file ${hw}, so it cannot be built. Add ${hw} (the output of \`nixos-generate-config --show-hardware-config\` on the VM; first-boot registration pushes it), or remove ${h.file}.`,
      ),
    );
  }
  for (const h of hardware) {
    if (hostSet.has(h.name)) continue;
    const host = hostPath(layout, h.name);
    out.push(
      finding(
        h.file,
        'fleet-orphan-hardware',
        `hardware file ${h.file} belongs to no host: ${host} does not exist. Add ${host} for host "${h.name}", or delete ${h.file} if the host is gone.`,
      ),
    );
  }
  return out;
}

/** Host names are lower-case RFC 1123 labels and unique after case folding. */
export function checkNames({ layout, files }: FleetInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const h of hostEntries(files, layout)) {
    const problem = hostNameProblem(h.name);
    if (problem) {
      out.push(
        finding(
          h.file,
          'fleet-host-name',
          `host name "${h.name}" (from the file name ${h.file}) ${problem}. Rename the host file and its hardware file to a lower-case RFC 1123 label (a-z, 0-9 and inner "-", at most 63 characters).`,
        ),
      );
    }
    const folded = h.name.toLowerCase();
    const first = seen.get(folded);
    if (first === undefined) seen.set(folded, h.name);
    else {
      out.push(
        finding(
          h.file,
          'fleet-host-name-collision',
          `host "${h.name}" collides with host "${first}": host names are case-insensitive (DNS, SSH), so both would answer to the same name. Rename or merge one of ${h.file} and ${hostPath(layout, first)}.`,
        ),
      );
    }
  }
  return out;
}

/** A literal `networking.hostName` in a host file equals the file's host name. */
export function checkHostNames({ layout, files, facts }: FleetInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const h of hostEntries(files, layout)) {
    const set = facts.get(h.file)?.hostName;
    if (!set || set.value === h.name) continue;
    out.push(
      finding(
        h.file,
        'fleet-hostname-mismatch',
        `networking.hostName is "${set.value}" but this file is host "${h.name}": the VM would register and be deployed under another name than its configuration. Set networking.hostName = "${h.name}", or rename ${h.file} and its hardware file to ${set.value}.`,
        set.range,
      ),
    );
  }
  return out;
}

/** Exactly one `tappaas.roles.<role>.enable = true` per host (the common module's count for every host). */
export function checkRoles({ layout, files, facts }: FleetInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const common = facts.get(layout.common)?.roles ?? [];
  for (const h of hostEntries(files, layout)) {
    const own = facts.get(h.file);
    if (!own) continue;
    const roles = [
      ...common.map((r) => ({ ...r, file: layout.common })),
      ...own.roles.map((r) => ({ ...r, file: h.file })),
    ];
    const names = [...new Set(roles.map((r) => r.value))];
    if (names.length === 0) {
      out.push(
        finding(
          h.file,
          'fleet-role-count',
          `host "${h.name}" enables no role, so it runs nothing of the platform. Add one \`tappaas.roles.<role>.enable = true;\` to ${h.file}.`,
        ),
      );
    } else if (names.length > 1) {
      const second = roles.find((r) => r.value === names[1])!;
      out.push(
        finding(
          h.file,
          'fleet-role-count',
          `host "${h.name}" enables ${names.length} roles (${names.join(', ')}); a host has exactly one role (health checks, canaries and sizing assume it). Keep one and move the others to their own hosts.`,
          second.file === h.file ? second.range : TOP,
        ),
      );
    }
  }
  return out;
}

/** A flake that lists its hosts literally lists exactly the host files. */
export function checkFlakeHosts({ layout, files, facts }: FleetInput): Diagnostic[] {
  const flake = facts.get(layout.flake);
  if (!flake?.parsed) return [];
  const hosts = hostEntries(files, layout);
  const configs = flake.flakeHosts;
  if (!configs) {
    if (hosts.length === 0) return [];
    return [
      finding(
        layout.flake,
        'fleet-flake-hosts',
        `${layout.flake} has no nixosConfigurations, so none of the ${hosts.length} host(s) in ${layout.hosts}/ is ever built. Generate them from the folder: \`nixosConfigurations = lib.genAttrs hostNames mkHost;\` with hostNames read by \`builtins.readDir ./${layout.hosts}\`.`,
      ),
    ];
  }
  if (configs.generated) return [];
  const out: Diagnostic[] = [];
  const listed = new Set(configs.names.map((n) => n.value));
  for (const n of configs.names) {
    if (hosts.some((h) => h.name === n.value)) continue;
    out.push(
      finding(
        layout.flake,
        'fleet-flake-hosts',
        `nixosConfigurations.${n.value} has no host file ${hostPath(layout, n.value)}. Add the host file, or remove ${n.value} from ${layout.flake}.`,
        n.range,
      ),
    );
  }
  for (const h of hosts) {
    if (listed.has(h.name)) continue;
    out.push(
      finding(
        layout.flake,
        'fleet-flake-hosts',
        `host "${h.name}" (${h.file}) is missing from nixosConfigurations, so it is never built or deployed. Add it to ${layout.flake}, or generate the hosts from ${layout.hosts}/ with builtins.readDir.`,
        configs.range,
      ),
    );
  }
  return out;
}

/** Files reached from the flake (or, without one, from the common, host and hardware files). */
export function reachableFiles({ layout, files, facts }: FleetInput): Set<string> {
  const fileSet = new Set(files);
  const roots = fileSet.has(layout.flake)
    ? [layout.flake]
    : [
        layout.common,
        `${layout.modules}/default.nix`,
        ...hostEntries(files, layout).map((h) => h.file),
        ...hardwareEntries(files, layout).map((h) => h.file),
      ].filter((f) => fileSet.has(f));
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const ref of facts.get(file)?.refs ?? []) {
      for (const target of refTargets(ref, files, fileSet)) if (!seen.has(target)) queue.push(target);
    }
  }
  return seen;
}

/** The `.nix` files a reference brings in. */
export function refTargets(ref: PathRef, files: readonly string[], fileSet: ReadonlySet<string>): string[] {
  switch (ref.kind) {
    case 'path': {
      if (fileSet.has(ref.target)) return ref.target.endsWith('.nix') ? [ref.target] : [];
      const index = ref.target === '' ? 'default.nix' : `${ref.target}/default.nix`;
      return fileSet.has(index) ? [index] : [];
    }
    case 'folder':
      // What a readDir loop can import: the .nix files of the folder and its sub-folders' default.nix.
      return files.filter(
        (f) =>
          f.endsWith('.nix') &&
          isUnder(f, ref.dir) &&
          (directChildren([f], ref.dir).length === 1 ||
            (posix.basename(f) === 'default.nix' &&
              directChildren([posix.dirname(f)], ref.dir).length === 1)),
      );
    case 'pattern':
      return directChildren(files, ref.dir).filter((f) => {
        const base = posix.basename(f);
        return (
          base.length >= ref.prefix.length + ref.suffix.length &&
          base.startsWith(ref.prefix) &&
          base.endsWith(ref.suffix) &&
          f.endsWith('.nix')
        );
      });
  }
}

/** `.nix` files under the fleet root that nothing reachable imports. */
export function checkImports(input: FleetInput): Diagnostic[] {
  const { layout, files, facts } = input;
  const fleet = fleetNixFiles(files, layout);
  // A file that does not parse may hide its imports: report nothing rather than a false orphan.
  if (fleet.some((f) => facts.get(f)?.parsed === false || !facts.has(f))) return [];
  const reached = reachableFiles(input);
  if (reached.size === 0) return [];
  const from = files.includes(layout.flake) ? layout.flake : `${layout.common} and the host files`;
  return fleet
    .filter((f) => f !== layout.flake && isUnder(f, layout.root) && !reached.has(f))
    .map((f) =>
      finding(
        f,
        'fleet-unimported-file',
        `${f} is imported by nothing reachable from ${from}, so no host uses it. Import it where it is meant to apply (an \`imports = [ ./… ];\` list or ${layout.modules}/default.nix), or delete it.`,
      ),
    );
}
