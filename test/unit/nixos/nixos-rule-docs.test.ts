// The docs examples of gpu-driver, service-admin-user, state-version,
// unknown-option-namespace and unknown-option are shown by `tappaas rules`: `bad` is reported, `good` is not.
import { describe, expect, it } from 'vitest';
import gpuDriver from '../../../scripts/lint/rules/gpu-driver.js';
import serviceAdminUser from '../../../scripts/lint/rules/service-admin-user.js';
import stateVersion from '../../../scripts/lint/rules/state-version.js';
import unknownOption from '../../../scripts/lint/rules/unknown-option.js';
import unknownOptionNamespace from '../../../scripts/lint/rules/unknown-option-namespace.js';
import type { Rule } from '../../../scripts/lint/types.js';
import { HOST_OPTIONS, optionsIndex, writeOptionsIndexes } from '../../helpers/options-index.js';
import { lintWithRule } from '../../helpers/rule-tester.js';

const nixos: Record<string, Rule> = {
  'gpu-driver': gpuDriver,
  'service-admin-user': serviceAdminUser,
  'state-version': stateVersion,
  'unknown-option-namespace': unknownOptionNamespace,
};

/** Snippets that are bodies of a module (not whole modules) are wrapped in one. */
const asModule = (code: string) => (/^\{[^}]*\}:/.test(code) ? code : `{ config, ... }:\n{\n${code}\n}\n`);

describe('NixOS rule docs', () => {
  for (const [id, rule] of Object.entries(nixos)) {
    it(`${id}: bad is reported, good is not`, async () => {
      const path = 'nix/common.nix';
      const bad = await lintWithRule(id, rule, asModule(rule.meta.docs.bad), undefined, path);
      expect(bad.length, rule.meta.docs.bad).toBeGreaterThan(0);
      const good = await lintWithRule(id, rule, asModule(rule.meta.docs.good), undefined, path);
      expect(good.map((d) => d.message)).toEqual([]);
      expect(rule.meta.docs.why.length).toBeGreaterThan(80);
    });
  }
  it('unknown-option (with an options index): bad is reported, good is not', async () => {
    const options = { index: writeOptionsIndexes(optionsIndex('web', HOST_OPTIONS)), stamp: '1' };
    const { bad, good, why } = unknownOption.meta.docs;
    expect((await lintWithRule('unknown-option', unknownOption, bad, options)).length).toBe(1);
    expect(await lintWithRule('unknown-option', unknownOption, good, options)).toEqual([]);
    expect(why.length).toBeGreaterThan(80);
  });
});
