// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
import { describe, expect, it } from 'vitest';
import { attrsetDefinitions, formatPath, staticPath } from '../../../scripts/nix-ast/attrpaths.js';
import {
  type AttrDefinition,
  analyzeScopes,
  inlineModules,
  type ModuleInfo,
  moduleInfo,
} from '../../../scripts/nix-ast/index.js';
import { withTree } from '../../helpers/nix-tree.js';

async function module(code: string, pick: (m: ModuleInfo) => AttrDefinition[] = (m) => m.definitions) {
  return withTree(code, (tree) => {
    const info = moduleInfo({ path: 'm.nix', source: code, tree, root: tree.rootNode });
    return {
      isModule: info.isModule,
      form: info.form,
      args: info.args.map((a) => a.name),
      imports: info.imports.map((n) => n.text),
      defs: pick(info).map(show),
    };
  });
}

/** `path @line:column (of the key) [wrappers] ?` (? = conditional). */
function show(d: AttrDefinition): string {
  const at = `${d.key.startPosition.row + 1}:${d.key.startPosition.column + 1}`;
  const wrappers = d.wrappers.length ? ` [${d.wrappers.map((w) => w.name).join(',')}]` : '';
  return `${formatPath(d.segments)} @${at}${wrappers}${d.conditional ? ' ?' : ''}`;
}

const HEAD = '{ config, lib, pkgs, ... }:\n';

/** `line:column` of the n-th occurrence of `needle` in `code` (1-based, as diagnostics count). */
function at(code: string, needle: string, nth = 0): string {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = code.indexOf(needle, i + 1);
    if (i === -1) throw new Error(`${needle} not in code`);
  }
  const before = code.slice(0, i);
  const line = before.split('\n').length;
  return `${line}:${i - before.lastIndexOf('\n')}`;
}

describe('attribute paths of module definitions', () => {
  it('three spellings of one option give the same path, each at its own key', async () => {
    const nested = await module(`${HEAD}{\n  hardware = { opengl.enable = true; };\n}`);
    const dotted = await module(`${HEAD}{\n  hardware.opengl = { enable = true; };\n}`);
    const explicit = await module(`${HEAD}{\n  options = { };\n  config.hardware.opengl.enable = true;\n}`);
    expect(nested.defs).toEqual(['hardware.opengl.enable @3:16']);
    expect(dotted.defs).toEqual(['hardware.opengl.enable @3:23']);
    expect(explicit.defs).toEqual(['hardware.opengl.enable @4:3']);
    expect(explicit.form).toBe('explicit');
    expect(nested.form).toBe('shorthand');
  });

  it('the segments point at each name in the source', async () => {
    const code = `${HEAD}{\n  hardware = {\n    opengl.enable = true;\n  };\n}`;
    await withTree(code, (tree) => {
      const [d] = moduleInfo({ path: 'm.nix', source: code, tree, root: tree.rootNode }).definitions;
      expect(
        d?.segments.map(
          (s) => `${s.name}@${s.node.startPosition.row + 1}:${s.node.startPosition.column + 1}`,
        ),
      ).toEqual(['hardware@3:3', 'opengl@4:5', 'enable@4:12']);
      expect(d?.attrpath?.text).toBe('opengl.enable');
      expect(d?.value?.text).toBe('true');
      expect(d && staticPath(d.segments)).toEqual(['hardware', 'opengl', 'enable']);
    });
  });

  it('through lib.mkIf, lib.mkMerge and priority wrappers', async () => {
    const code = `${HEAD}let cfg = config.x; in {
  config = lib.mkIf cfg.enable (lib.mkMerge [
    { hardware.opengl.enable = lib.mkDefault true; }
    (lib.mkIf cfg.gpu { hardware = { opengl.driSupport = lib.mkForce true; }; })
    { a = lib.mkOverride 50 { b = 1; }; c = lib.mkBefore [ ]; d = lib.mkAfter [ ]; e = lib.mkOrder 10 [ ]; }
  ]);
  options.x.enable = lib.mkEnableOption "x";
}`;
    expect((await module(code)).defs).toEqual([
      'hardware.opengl.enable @4:7 [mkIf,mkMerge,mkDefault] ?',
      `hardware.opengl.driSupport @${at(code, 'opengl.driSupport')} [mkIf,mkMerge,mkIf,mkForce] ?`,
      `a.b @${at(code, 'b = 1')} [mkIf,mkMerge,mkOverride] ?`,
      `c @${at(code, 'c = ')} [mkIf,mkMerge,mkBefore] ?`,
      `d @${at(code, 'd = ')} [mkIf,mkMerge,mkAfter] ?`,
      `e @${at(code, 'e = lib.mkOrder')} [mkIf,mkMerge,mkOrder] ?`,
    ]);
    expect((await module(code, (m) => m.options)).defs).toEqual([`x.enable @${at(code, 'options.x')}`]);
  });

  it('bare mkIf from `with lib;`, from `inherit (lib) mkIf`, and from a let alias', async () => {
    const a = `${HEAD}with lib; { config = mkIf true { a.b = 1; }; options = { }; }`;
    const b = `${HEAD}let inherit (lib) mkIf; in { config = mkIf true { a.b = 1; }; options = { }; }`;
    const c = `${HEAD}let when = lib.mkIf; in { x = when true { b = 1; }; }`;
    expect((await module(a)).defs).toEqual([`a.b @${at(a, 'a.b')} [mkIf] ?`]);
    expect((await module(b)).defs).toEqual([`a.b @${at(b, 'a.b')} [mkIf] ?`]);
    // `when` is not named mkIf, so it is not known as a wrapper: the call is the value.
    expect((await module(c)).defs).toEqual([`x @${at(c, 'x =')}`]);
  });

  it('a local function that happens to be called mkIf is not the module system one', async () => {
    const code = `${HEAD}let mkIf = c: x: x; in { a = mkIf true { b = 1; }; }`;
    expect((await module(code)).defs).toEqual([`a @${at(code, 'a =')}`]);
  });

  it('optionalAttrs and // keep paths; if-then-else does not', async () => {
    const code = `${HEAD}{ a = { b = 1; } // lib.optionalAttrs true { c = 2; }; d = if x then { e = 1; } else { }; }`;
    expect((await module(code)).defs).toEqual([
      `a.b @${at(code, 'b = 1')} [//]`,
      `a.c @${at(code, 'c = 2')} [//,optionalAttrs] ?`,
      `d @${at(code, 'd =')}`,
    ]);
  });

  it('string keys are plain segments; interpolated keys are dynamic', async () => {
    const code = `${HEAD}{ users.users."alice".isNormalUser = true; ${'${"x"}'}.y = 1; z.\${name}.w = 2; }`;
    const r = await module(code);
    expect(r.defs).toEqual([
      'users.users.alice.isNormalUser @2:3',
      `x.y @${at(code, '${"x"}')}`,
      `z.\${name}.w @${at(code, 'z.')}`,
    ]);
  });

  it('empty attrsets are definitions too', async () => {
    expect((await module(`${HEAD}{ services.x = { }; }`)).defs).toEqual(['services.x @2:3']);
  });

  it('inherit in a module defines the inherited name', async () => {
    const code = `${HEAD}let networking = { }; in { inherit networking; }`;
    expect((await module(code)).defs).toEqual([`networking @${at(code, 'networking', 1)}`]);
  });
});

describe('module detection', () => {
  it('a function of formals returning an attrset, through let/with/parentheses', async () => {
    const code = '{ config, pkgs, ... }:\nlet a = 1; in with pkgs; ({ x = a; })';
    expect(await module(code)).toMatchObject({
      isModule: true,
      args: ['config', 'pkgs'],
      defs: [`x @${at(code, 'x =')}`],
    });
  });

  it('an attrset with imports, options or config', async () => {
    expect((await module('{ imports = [ ./a.nix ]; b = 1; }')).isModule).toBe(true);
    expect((await module('{ imports = [ ./a.nix ]; b = 1; }')).imports).toEqual(['[ ./a.nix ]']);
    expect((await module('{ config.a = 1; }')).isModule).toBe(true);
    expect((await module('{ a = 1; }')).isModule).toBe(false);
  });

  it('not modules: a plain lambda, a function returning a call, a list', async () => {
    expect((await module('x: { a = x; }')).isModule).toBe(false);
    expect((await module('{ stdenv }: stdenv.mkDerivation { }')).isModule).toBe(false);
    expect((await module('[ 1 ]')).isModule).toBe(false);
  });

  it('not modules: a function with a default argument, or one that asserts on its inputs first', async () => {
    expect((await module('{ lib ? import <nixpkgs/lib>, ... }: { a = lib.id; }')).isModule).toBe(false);
    expect((await module('{ pkgs, lib, ... }: assert lib.versionAtLeast "1" "0"; { a = 1; }')).isModule).toBe(
      false,
    );
    expect((await module('{ pkgs, lib, ... }: let x = 1; in (assert true; { a = x; })')).isModule).toBe(
      false,
    );
    // The module system's own keys still say module, whatever the formals.
    expect((await module('{ lib ? null, ... }: { imports = [ ]; a = 1; }')).isModule).toBe(true);
  });

  it('shorthand: the module system keys are not definitions, meta is', async () => {
    const code =
      '{ ... }: { imports = [ ]; _file = "x"; key = "k"; disabledModules = [ ]; _class = "nixos"; freeformType = null; meta.doc = ./a.md; a = 1; }';
    expect((await module(code)).defs).toEqual([`meta.doc @${at(code, 'meta')}`, `a @${at(code, 'a = 1')}`]);
  });

  it('explicit: only config (and meta) define; other keys are unsupported', async () => {
    const code = '{ ... }: { options.a = 1; config.b = 2; meta.c = 3; stray = 4; imports = [ ]; }';
    expect((await module(code)).defs).toEqual([`b @${at(code, 'config.b')}`, `meta.c @${at(code, 'meta')}`]);
    expect((await module(code, (m) => m.unsupported)).defs).toEqual([`stray @${at(code, 'stray')}`]);
  });

  it('config = lib.mkIf … { … } in the explicit form', async () => {
    const code = `${HEAD}{\n  options = { };\n  config = lib.mkIf config.x.enable {\n    hardware.opengl.enable = true;\n  };\n}`;
    expect((await module(code)).defs).toEqual(['hardware.opengl.enable @5:5 [mkIf] ?']);
  });
});

describe('inline modules in imports', () => {
  it('attrsets and functions in the imports list are modules of their own', async () => {
    const code =
      '{ lib, ... }: {\n  imports = [\n    ./a.nix\n    { services.a.enable = true; }\n    ({ config, ... }: { config.services.b = { }; options = { }; })\n  ];\n}';
    await withTree(code, (tree) => {
      const info = moduleInfo({ path: 'm.nix', source: code, tree, root: tree.rootNode });
      const inline = inlineModules(info, analyzeScopes(tree));
      expect(inline.map((m) => [m.form, m.args.map((a) => a.name), m.definitions.map(show)])).toEqual([
        ['shorthand', [], [`services.a.enable @${at(code, 'services.a')}`]],
        ['explicit', ['config'], [`services.b @${at(code, 'config.services')}`]],
      ]);
    });
  });
});

describe('attrsetDefinitions on any attrset', () => {
  it('walks nested literals and keeps every leaf', async () => {
    const code = '{ a = { b = 1; c.d = 2; }; a.e = [ ]; f = rec { g = 1; }; }';
    await withTree(code, (tree) => {
      const root = tree.rootNode.namedChild(0);
      if (!root) throw new Error('no root');
      const defs = attrsetDefinitions(root, { scopes: analyzeScopes(tree) });
      expect(defs.map(show)).toEqual(['a.b @1:9', 'a.c.d @1:16', 'a.e @1:28', 'f.g @1:49']);
    });
  });

  it('takes a prefix', async () => {
    const code = '{ enable = true; }';
    await withTree(code, (tree) => {
      const root = tree.rootNode.namedChild(0);
      if (!root) throw new Error('no root');
      const prefix = [{ name: 'services', node: root }];
      expect(attrsetDefinitions(root, { prefix }).map((d) => formatPath(d.segments))).toEqual([
        'services.enable',
      ]);
    });
  });

  it('formats names that need quotes', async () => {
    const code = '{ "a b" = 1; "c" = 2; }';
    await withTree(code, (tree) => {
      const root = tree.rootNode.namedChild(0);
      if (!root) throw new Error('no root');
      expect(attrsetDefinitions(root).map((d) => formatPath(d.segments))).toEqual(['"a b"', 'c']);
    });
  });
});
