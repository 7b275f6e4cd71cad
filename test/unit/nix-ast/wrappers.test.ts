// The values wrappers hold: unwrapWrappers follows one value through mkForce & co (not
// mkMerge); wrappedValues gives what one wrapper call holds, mkMerge's list element by element.
import { describe, expect, it } from 'vitest';
import { analyzeScopes, unwrapWrappers, wrappedValues, wrapperCall } from '../../../scripts/nix-ast/index.js';
import { withTree } from '../../helpers/nix-tree.js';

describe('unwrapWrappers', () => {
  it.each([
    ['lib.mkForce "x"', '"x"'],
    ['mkDefault ("x")', '"x"'],
    ['lib.mkIf cond (lib.mkOverride 50 (lib.mkDefault { a = 1; }))', '{ a = 1; }'],
    ['lib.mkOrder 10 (lib.mkBefore [ 1 ])', '[ 1 ]'],
    ['(let a = 1; in lib.optionalAttrs c { b = a; })', '{ b = a; }'],
    ['lib.mkMerge [ "a" "b" ]', 'lib.mkMerge [ "a" "b" ]'],
    ['lib.mkForce (lib.mkMerge [ "a" ])', 'lib.mkMerge [ "a" ]'],
    ['lib.mkIf cond', 'lib.mkIf cond'],
    ['f "x"', 'f "x"'],
  ])('%s', async (code, want) => {
    expect(await withTree(code, (_tree, e) => unwrapWrappers(e).text)).toBe(want);
  });

  it('asks the scopes whether a bare name is the wrapper', async () => {
    const shadowed = 'let mkForce = x: "other"; in mkForce "x"';
    const inherited = 'let inherit (lib) mkForce; in mkForce "x"';
    expect(await withTree(shadowed, (_t, e) => unwrapWrappers(e).text)).toBe('"x"');
    expect(await withTree(shadowed, (t, e) => unwrapWrappers(e, analyzeScopes(t)).text)).toBe('mkForce "x"');
    expect(await withTree(inherited, (t, e) => unwrapWrappers(e, analyzeScopes(t)).text)).toBe('"x"');
  });
});

describe('wrappedValues', () => {
  const values = (code: string) =>
    withTree(code, (_t, e) => {
      const call = wrapperCall(e);
      return call ? wrappedValues(call).map((n) => n.text) : undefined;
    });

  it('gives each element of a mkMerge list, comments left out', async () => {
    expect(await values('lib.mkMerge [ { a = 1; } # one\n (lib.mkIf c { b = 2; }) ]')).toEqual([
      '{ a = 1; }',
      '(lib.mkIf c { b = 2; })',
    ]);
    expect(await values('lib.mkMerge ([ x ])')).toEqual(['x']);
    expect(await values('lib.mkMerge [ ]')).toEqual([]);
  });

  it('gives the last argument of other wrappers, and of mkMerge over no list literal', async () => {
    expect(await values('lib.mkIf c { a = 1; }')).toEqual(['{ a = 1; }']);
    expect(await values('lib.mkOverride 10 ({ a = 1; })')).toEqual(['({ a = 1; })']);
    expect(await values('lib.mkMerge parts')).toEqual(['parts']);
  });
});
