// Settles the findings that depend on what kind of file they are in (a rule's `scope`), from
// the repository's import graph (classify.ts), and drops unknown-namespace findings for names
// the repository itself declares or a module flake among its inputs adds. Pure.
//
// - `nixos`: kept in a NixOS module the flake loads (certain); dropped in a file that is only
//   something else (a home-manager, flake-parts or nix-darwin module, plain Nix); in a file
//   the graph cannot place, kept as a warning at most, unless the file plainly belongs to
//   another module system (it defines `home.*`, `perSystem`, … or lives under `home/`).
// - `module`: the same for any module system.
// - `flake`: kept only in files the flake evaluates; `shell.nix` and other entry points of
//   the non-flake world use `<nixpkgs>` by design.
import { posix } from 'node:path';
import type { Diagnostic, Severity } from '../lint/types.js';
import type { FileKind, RepoGraph } from './classify.js';

export interface RepoContext {
  graph: RepoGraph;
  /** Top-level option names beyond NixOS's own: declared in the repository, added by module flakes. */
  namespaces: ReadonlySet<string>;
}

/** Top-level names only home-manager declares (a NixOS module defining one would not evaluate). */
const HOME_MANAGER_ONLY = new Set([
  'home',
  'accounts',
  'xsession',
  'wayland',
  'targets',
  'manual',
  'news',
  'editorconfig',
  'submoduleSupport',
  'pam',
  'xresources',
  'uninstall',
  'dconf',
]);
/** Top-level names of flake-parts modules, and of nix-darwin's. */
const FLAKE_PARTS_ONLY = new Set(['perSystem', 'flake', 'transposition', 'partitions', 'partitionedAttrs']);
const DARWIN_ONLY = new Set(['homebrew', 'launchd']);
/** Folder names that hold home-manager configuration by convention. */
const HOME_FOLDERS = new Set(['home', 'home-manager', 'hm', 'homes', 'home-modules']);

/** Whether the context settles this finding (its rule's scope, or an unknown namespace). */
export function dependsOnContext(d: Diagnostic): boolean {
  return d.scope !== undefined || d.namespace !== undefined;
}

/**
 * The findings with the repository context applied. `repoPath` maps a finding's file (as the
 * run shows it) to its repository path; files it cannot map are left as they are.
 */
export function applyRepoContext(
  diagnostics: readonly Diagnostic[],
  context: RepoContext,
  repoPath: (file: string) => string | undefined,
): Diagnostic[] {
  const otherSystem = foreignFiles(diagnostics);
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    if (d.namespace !== undefined && context.namespaces.has(d.namespace)) continue;
    if (!d.scope) {
      out.push(d);
      continue;
    }
    const path = repoPath(d.file);
    const kind = path === undefined ? undefined : context.graph.kinds.get(path);
    if (!kind || path === undefined) {
      out.push(d);
      continue;
    }
    const verdict = judge(
      d.scope,
      kind,
      context.graph.hasFlake,
      () => otherSystem.has(d.file) || underHomeFolder(path),
    );
    if (verdict === 'drop') continue;
    out.push(verdict === 'keep' ? d : { ...d, severity: capped(d.severity) });
  }
  return out;
}

type Verdict = 'keep' | 'drop' | 'warn';

function judge(
  scope: NonNullable<Diagnostic['scope']>,
  kind: FileKind,
  hasFlake: boolean,
  foreign: () => boolean,
): Verdict {
  if (scope === 'flake') return hasFlake && kind.fromFlake ? 'keep' : 'drop';
  const nixos = kind.classes.includes('nixos');
  const other = kind.classes.some((c) => c !== 'nixos' && c !== 'any');
  const anyModule = kind.classes.includes('any');
  // Certain only where the flake (or configuration.nix) really evaluates the file.
  const evaluated = kind.fromFlake;
  if (scope === 'nixos') {
    if (nixos) return evaluated && !other ? 'keep' : 'warn';
    if (!kind.unknown && !anyModule) return 'drop';
    return foreign() ? 'drop' : 'warn';
  }
  // scope === 'module'
  if (nixos || other || anyModule) return evaluated ? 'keep' : 'warn';
  return kind.unknown ? 'warn' : 'drop';
}

function capped(severity: Severity): Severity {
  return severity === 'error' ? 'warning' : severity;
}

/** Files whose unknown-namespace findings name another module system's own options. */
function foreignFiles(diagnostics: readonly Diagnostic[]): Set<string> {
  const out = new Set<string>();
  for (const d of diagnostics) {
    const ns = d.namespace;
    if (ns !== undefined && (HOME_MANAGER_ONLY.has(ns) || FLAKE_PARTS_ONLY.has(ns) || DARWIN_ONLY.has(ns)))
      out.add(d.file);
  }
  return out;
}

function underHomeFolder(path: string): boolean {
  if (posix.basename(path) === 'home.nix') return true;
  return posix
    .dirname(path)
    .split('/')
    .some((part) => HOME_FOLDERS.has(part));
}
