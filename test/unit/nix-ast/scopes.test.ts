// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseNix } from '../../../scripts/nix-ast/parser.js';
import { analyzeScopes, type Resolution } from '../../../scripts/nix-ast/scopes.js';

/** Every reference as `line:column name -> kind[@line:column of the binding]`. */
async function resolutions(code: string): Promise<string[]> {
  const tree = await parseNix(code);
  try {
    const s = analyzeScopes(tree);
    return s.references.map(
      ({ node, resolution }) => `${pos(node)} ${resolution.name} -> ${show(resolution)}`,
    );
  } finally {
    tree.delete();
  }
}

function pos(n: { startPosition: { row: number; column: number } }): string {
  return `${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
}

function show(r: Resolution): string {
  if (r.kind === 'binding') return `${r.binding.kind}@${pos(r.binding.identifier)}`;
  if (r.kind === 'with') return `with@${pos(r.with)}`;
  return r.kind;
}
async function unused(code: string): Promise<string[]> {
  const tree = await parseNix(code);
  try {
    return analyzeScopes(tree)
      .unusedBindings()
      .map((b) => `${b.kind} ${b.name}`);
  } finally {
    tree.delete();
  }
}

describe('scopes', () => {
  it('let bindings see each other in any order, and the body sees them', async () => {
    expect(await resolutions('let a = b; b = 1; in a')).toEqual(['1:9 b -> let@1:12', '1:22 a -> let@1:5']);
  });

  it('rec attrsets bind their keys, plain attrsets do not', async () => {
    expect(await resolutions('rec { a = 1; b = a; }')).toEqual(['1:18 a -> rec@1:7']);
    expect(await resolutions('{ a = 1; b = a; }')).toEqual(['1:14 a -> unresolved']);
  });

  it('attrpath and string keys in let bind their first name', async () => {
    expect(await resolutions('let a.b = 1; "c" = 2; ${"d"} = 3; in [ a c d ]')).toEqual([
      '1:40 a -> let@1:5',
      '1:42 c -> let@1:14',
      '1:44 d -> let@1:23',
    ]);
  });

  it('formals, defaults seeing other formals, and both @ spellings', async () => {
    expect(await resolutions('args@{ a, b ? a, ... }: [ args b ]')).toEqual([
      '1:15 a -> formal@1:8',
      '1:27 args -> pattern@1:1',
      '1:32 b -> formal@1:11',
    ]);
    expect(await resolutions('{ a }@args: args')).toEqual(['1:13 args -> pattern@1:7']);
  });

  it('single-argument lambdas and shadowing', async () => {
    expect(await resolutions('x: y: x: [ x y ]')).toEqual(['1:12 x -> lambda@1:7', '1:14 y -> lambda@1:4']);
    expect(await resolutions('let x = 1; in x: x')).toEqual(['1:18 x -> lambda@1:15']);
  });

  it('plain inherit in let refers outward; inherit (e) evaluates e in the let', async () => {
    expect(await resolutions('x: let inherit x; in x')).toEqual([
      '1:16 x -> lambda@1:1',
      '1:22 x -> let@1:16',
    ]);
    expect(await resolutions('let src = { }; inherit (src) a; in a')).toEqual([
      '1:25 src -> let@1:5',
      '1:36 a -> let@1:30',
    ]);
  });

  it('plain inherit in a plain or rec attrset', async () => {
    expect(await resolutions('a: { inherit a; }')).toEqual(['1:14 a -> lambda@1:1']);
    expect(await resolutions('a: rec { inherit a; b = a; }')).toEqual([
      '1:18 a -> lambda@1:1',
      '1:25 a -> rec@1:18',
    ]);
  });

  it('with: lexical names and globals win, the rest comes from the innermost with', async () => {
    expect(await resolutions('lib: with lib; with pkgs; [ lib mkIf map true ]')).toEqual([
      '1:11 lib -> lambda@1:1',
      '1:21 pkgs -> with@1:6',
      '1:29 lib -> lambda@1:1',
      '1:33 mkIf -> with@1:16',
      '1:38 map -> builtin',
      '1:42 true -> builtin',
    ]);
  });

  it('the with environment is evaluated outside the with', async () => {
    expect(await resolutions('with a; with b; c')).toEqual([
      '1:6 a -> unresolved',
      '1:14 b -> with@1:1',
      '1:17 c -> with@1:9',
    ]);
  });

  it('globals: builtins, true/false/null, import, throw, __ names', async () => {
    expect(await resolutions('[ builtins null import throw toString __currentSystem fooBar ]')).toEqual([
      '1:3 builtins -> builtin',
      '1:12 null -> builtin',
      '1:17 import -> builtin',
      '1:24 throw -> builtin',
      '1:30 toString -> builtin',
      '1:39 __currentSystem -> builtin',
      '1:55 fooBar -> unresolved',
    ]);
  });

  it('a name can shadow a global', async () => {
    expect(await resolutions('let map = 1; in map')).toEqual(['1:17 map -> let@1:5']);
  });

  it('select attrpaths and has-attr names are not references', async () => {
    expect(await resolutions('a: a.b.c or a ? d')).toEqual(['1:4 a -> lambda@1:1', '1:13 a -> lambda@1:1']);
  });

  it('interpolations in keys, strings and paths are references', async () => {
    expect(await resolutions('k: { ${k} = "${k}"; p = ./a/${k}; }')).toEqual([
      '1:8 k -> lambda@1:1',
      '1:16 k -> lambda@1:1',
      '1:31 k -> lambda@1:1',
    ]);
  });

  it('resolve() and bindingOf() answer by node', async () => {
    const tree = await parseNix('let a = 1; in a');
    try {
      const s = analyzeScopes(tree);
      const ref = s.references[0]?.node;
      expect(ref && s.resolve(ref)?.kind).toBe('binding');
      const b = s.bindings[0];
      expect(b && s.bindingOf(b.identifier)?.name).toBe('a');
      expect(analyzeScopes(tree)).toBe(s);
    } finally {
      tree.delete();
    }
  });

  it('unused bindings: let, formals, lambdas, patterns; never rec attributes', async () => {
    expect(
      await unused('{ a, b, ... }@args: x: let c = 1; d = 2; f = y: f y; in rec { e = d + b; }'),
    ).toEqual(['pattern args', 'formal a', 'lambda x', 'let c', 'let f']);
  });

  it('scopes nest with their nodes', async () => {
    const tree = await parseNix('with x; let a = 1; in { b }: a');
    try {
      const kinds = analyzeScopes(tree).scopes.map((s) => `${s.kind}:${s.parent?.kind ?? '-'}`);
      expect(kinds).toEqual(['with:-', 'let:with', 'function:let']);
    } finally {
      tree.delete();
    }
  });

  it('survives syntax errors', async () => {
    expect(await resolutions('let a = ; in a')).toContain('1:14 a -> let@1:5');
  });
});

describe('with bodies without references', () => {
  it('do not swallow what follows them', async () => {
    expect(await resolutions('x: [ (with x; 1) y ]')).toEqual([
      '1:12 x -> lambda@1:1',
      '1:18 y -> unresolved',
    ]);
  });
});

// Nix itself resolves variables when it parses: `nix-instantiate --parse` fails with
// "undefined variable" exactly when a name is bound nowhere and no `with` is around.
describe('unresolved names agree with nix-instantiate --parse', () => {
  const cases = [
    'let a = b; b = 1; in a',
    'let a = 1; in b',
    'x: let inherit x; in x',
    'let inherit x; in 1',
    'rec { a = 1; b = a; }',
    '{ a = 1; b = a; }',
    'args@{ a, b ? a, ... }: [ args b ]',
    '{ a ? b, b ? 1 }: a',
    'with x; y',
    'with { }; y',
    '(with x; 1) + y',
    'let src = { }; inherit (src) a; in a',
    '{ inherit a; }',
    'a: { inherit a; }',
    '[ map true null builtins __add import throw abort toString baseNameOf removeAttrs derivation ]',
    'let { a = 1; body = a; }',
    'let { body = b; }',
    'k: { ${k} = "${k}"; p = ./a/${k}; }',
    'k: { ${j} = 1; }',
    'x: x.a or y',
  ];
  for (const code of cases) {
    it(code, async () => {
      const r = spawnSync('nix-instantiate', ['--parse', '-E', code], { encoding: 'utf8' });
      const nixUndefined = /undefined variable/.test(r.stderr);
      const unresolved = (await resolutions(code)).filter((s) => s.endsWith('-> unresolved'));
      expect(unresolved.length > 0).toBe(nixUndefined);
      if (!nixUndefined) expect(r.status).toBe(0);
    });
  }
});

describe('dependsOn: does an expression read a binding, directly or through let aliases', () => {
  async function imports(code: string): Promise<boolean> {
    const tree = await parseNix(code);
    try {
      const s = analyzeScopes(tree);
      const config = s.bindings.find((b) => b.kind === 'formal' && b.name === 'config');
      const binding = tree.rootNode.descendantsOfType('binding').find((b) => b?.text.startsWith('imports'));
      const value = binding?.childForFieldName('expression');
      if (!config || !value) throw new Error('fixture needs a config formal and an imports binding');
      return s.dependsOn(value, config);
    } finally {
      tree.delete();
    }
  }

  it('direct use, an alias, a chain of aliases, and lib.optional', async () => {
    expect(await imports('{ config, ... }: { imports = [ config.x ]; }')).toBe(true);
    expect(await imports('{ config, ... }: let c = config; in { imports = [ c.x ]; }')).toBe(true);
    expect(
      await imports(
        '{ config, lib, ... }: let c = config.a; d = c.b; in { imports = lib.optional d.on ./x.nix; }',
      ),
    ).toBe(true);
    expect(
      await imports(
        '{ config, lib, ... }: let inherit (config) networking; in { imports = [ networking ]; }',
      ),
    ).toBe(true);
  });

  it('no dependency: other names, shadowing, and a config that is not the argument', async () => {
    expect(await imports('{ config, lib, ... }: let c = 1; in { imports = [ ./a.nix c ]; }')).toBe(false);
    expect(await imports('{ config, ... }: { imports = [ (config: config) ]; }')).toBe(false);
    expect(await imports('{ config, ... }: let x = y; y = x; in { imports = [ x ]; }')).toBe(false);
  });
});
