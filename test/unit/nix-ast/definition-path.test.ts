// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
// definitionPath walks up from one binding to the module root; keyBindings finds bindings by
// their key in the text. Together they must name the paths the full module walk
// (attrsetDefinitions) names, for every spelling that walk follows.
import { describe, expect, it } from 'vitest';
import type { Node, Tree } from 'web-tree-sitter';
import { definitionPath, keyBindings, moduleInfo, staticPath } from '../../../scripts/nix-ast/index.js';
import { withTree } from '../../helpers/nix-tree.js';

/** The path of each binding a key pattern finds, and the text of its value past wrappers. */
function found(tree: Tree, code: string, key: RegExp): string[] {
  const info = moduleInfo({ path: 'm.nix', source: code, tree, root: tree.rootNode });
  const root = info.rootAttrset;
  if (!info.isModule || !root) throw new Error(`not a module: ${code}`);
  return [...keyBindings(tree.rootNode, code, key)].map(({ binding, value }) => {
    const path = definitionPath(binding, root, info.form === 'explicit');
    return `${path ? path.join('.') : '-'} = ${value.text}`;
  });
}

const USER = /\bUser"?\s*=[^=]/g;

describe('keyBindings and definitionPath', () => {
  it.each([
    [
      'a dotted path',
      '{ lib, ... }: { systemd.services.a.serviceConfig.User = "x"; }',
      ['systemd.services.a.serviceConfig.User = "x"'],
    ],
    [
      'nested sets and a quoted key',
      '{ lib, ... }: { systemd.services.a = { serviceConfig = { "User" = "x"; }; }; }',
      ['systemd.services.a.serviceConfig.User = "x"'],
    ],
    [
      'mkForce, mkDefault and parentheses around the value',
      '{ lib, ... }: { s.User = lib.mkForce (lib.mkDefault ("x")); }',
      ['s.User = "x"'],
    ],
    [
      'mkIf, mkMerge and // around the set',
      '{ config, lib, ... }: { s = lib.mkMerge [ (lib.mkIf config.x { User = "a"; }) ({ } // { User = "b"; }) ]; }',
      ['s.User = "a"', 's.User = "b"'],
    ],
    [
      'let, with and assert bodies',
      '{ lib, ... }: { s = let u = 1; in with lib; assert true; { User = "x"; }; }',
      ['s.User = "x"'],
    ],
    [
      'an explicit module: paths start under config',
      '{ lib, ... }: { config = { s.User = "x"; }; }',
      ['s.User = "x"'],
    ],
    [
      'a let binding, a function body and a dynamic key have no path',
      '{ lib, ... }: let User = "x"; in { f = a: { User = "y"; }; ${n}.User = "z"; }',
      ['- = "x"', '- = "y"', '- = "z"'],
    ],
    [
      'an option declaration is no definition',
      '{ lib, ... }: { options.s.User = lib.mkOption { }; }',
      ['- = lib.mkOption { }'],
    ],
    [
      'mkMerge stays: its list holds several values',
      '{ lib, ... }: { s.User = lib.mkMerge [ "a" ]; }',
      ['s.User = lib.mkMerge [ "a" ]'],
    ],
    [
      'a key that is not the last of its attrpath',
      '{ lib, ... }: { User.x = 1; Users = 2; a.User == b; }',
      [],
    ],
  ])('%s', async (_name, code, want) => {
    expect(await withTree(code, (tree) => found(tree, code, USER))).toEqual(want);
  });

  it('names the paths the module walk names, for every leaf', async () => {
    const code = `{ config, lib, pkgs, ... }:
{
  services.a = lib.mkIf config.x { enable = true; port = lib.mkDefault 1; };
  services.b = lib.mkMerge [ { enable = true; } (lib.mkIf true { user = "b"; }) ];
  networking = { hostName = "h"; firewall.enable = lib.mkForce false; } // { domain = "d"; };
  users.users.u = let g = "wheel"; in { extraGroups = [ g ]; };
  system.stateVersion = "25.05";
}`;
    await withTree(code, (tree) => {
      const info = moduleInfo({ path: 'm.nix', source: code, tree, root: tree.rootNode });
      const leaves = info.definitions.filter((d) => d.binding.type === 'binding');
      expect(leaves.length).toBe(9);
      for (const d of leaves) {
        expect(definitionPath(d.binding, info.rootAttrset as Node, false)).toEqual(staticPath(d.segments));
      }
    });
  });
});
