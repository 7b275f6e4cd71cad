// The findings that depend on what a file is, settled by the repository's graph.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../scripts/lint/types.js';
import { applyRepoContext, type RepoContext } from '../../../scripts/module-graph/apply.js';
import type { FileKind } from '../../../scripts/module-graph/classify.js';

const kinds: Record<string, FileKind> = {
  'hosts/web.nix': { classes: ['nixos'], fromFlake: true, unknown: false, plain: false },
  'home/me.nix': { classes: ['home-manager'], fromFlake: true, unknown: false, plain: false },
  'parts/ci.nix': { classes: ['flake-parts'], fromFlake: true, unknown: false, plain: false },
  'pkgs/tool.nix': { classes: [], fromFlake: true, unknown: false, plain: true },
  'shell.nix': { classes: [], fromFlake: false, unknown: true, plain: false },
  'old/module.nix': { classes: [], fromFlake: false, unknown: true, plain: false },
  'home-manager/programs/x.nix': { classes: [], fromFlake: false, unknown: true, plain: false },
  'lib/helper-target.nix': { classes: ['nixos'], fromFlake: false, unknown: true, plain: false },
  'eval/any.nix': { classes: ['any'], fromFlake: true, unknown: false, plain: false },
};

const context: RepoContext = {
  graph: { kinds: new Map(Object.entries(kinds)), hasFlake: true, usesColmena: false },
  namespaces: new Set(['sops', 'backup']),
};

function finding(file: string, scope?: Diagnostic['scope'], namespace?: string, rule = 'r'): Diagnostic {
  return {
    file,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 2,
    rule,
    severity: 'error',
    message: 'm',
    ...(scope ? { scope } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

function settle(list: Diagnostic[]): string[] {
  return applyRepoContext(list, context, (f) => f).map(
    (d) => `${d.file} ${d.scope ?? '-'} ${d.namespace ?? '-'} ${d.severity}`,
  );
}

describe('applyRepoContext', () => {
  it('nixos findings: kept where a host loads the file, dropped where it is something else', () => {
    const files = Object.keys(kinds);
    expect(settle(files.map((f) => finding(f, 'nixos')))).toEqual([
      'hosts/web.nix nixos - error',
      'shell.nix nixos - warning',
      'old/module.nix nixos - warning',
      // home-manager/programs/x.nix: under a home-manager folder, so no NixOS module.
      // A NixOS module only by a helper nothing is known to call: not certain.
      'lib/helper-target.nix nixos - warning',
      'eval/any.nix nixos - warning',
    ]);
  });

  it('module findings: kept in every module system, only guessed where the graph cannot tell', () => {
    const files = Object.keys(kinds);
    expect(settle(files.map((f) => finding(f, 'module')))).toEqual([
      'hosts/web.nix module - error',
      'home/me.nix module - error',
      'parts/ci.nix module - error',
      'shell.nix module - warning',
      'old/module.nix module - warning',
      'home-manager/programs/x.nix module - warning',
      'lib/helper-target.nix module - warning',
      'eval/any.nix module - error',
    ]);
  });

  it('flake findings only where the flake evaluates the file', () => {
    expect(
      settle([
        finding('hosts/web.nix', 'flake'),
        finding('shell.nix', 'flake'),
        finding('pkgs/tool.nix', 'flake'),
      ]),
    ).toEqual(['hosts/web.nix flake - error', 'pkgs/tool.nix flake - error']);
  });

  it('an unknown namespace the repository declares or a module flake adds is no finding', () => {
    expect(
      settle([
        finding('hosts/web.nix', 'nixos', 'sops'),
        finding('hosts/web.nix', 'nixos', 'backup'),
        finding('hosts/web.nix', 'nixos', 'graphics'),
      ]),
    ).toEqual(['hosts/web.nix nixos graphics error']);
  });

  it('a file that defines home-manager-only names is not judged as NixOS', () => {
    expect(
      settle([
        finding('old/module.nix', 'nixos', 'home'),
        finding('old/module.nix', 'nixos', undefined, 'renamed-option'),
      ]),
    ).toEqual([]);
  });

  it('findings without a scope, and files outside the repository, are left as they are', () => {
    const outside = applyRepoContext([finding('/elsewhere/x.nix', 'nixos')], context, () => undefined);
    expect(outside.map((d) => d.severity)).toEqual(['error']);
    expect(settle([finding('pkgs/tool.nix')])).toEqual(['pkgs/tool.nix - - error']);
  });
});
