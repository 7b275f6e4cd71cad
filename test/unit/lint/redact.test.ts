import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';
import { formatText } from '../../../scripts/lint/formatters/text.js';
import { redactSecrets } from '../../../scripts/lint/redact.js';

const SOURCE = [
  '{',
  '  users.users.a.password = "hunter2hunter2";',
  '  b = x == true;',
  '  key = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----";',
  '}',
  '',
].join('\n');

describe('secrets never reach the output', () => {
  it('masks the ranges of secret findings and nothing else', async () => {
    const diagnostics = await lintSource('a.nix', SOURCE);
    expect(diagnostics.filter((d) => d.rule === 'secret-in-store').length).toBeGreaterThanOrEqual(2);
    const masked = redactSecrets(SOURCE, diagnostics);
    expect(masked).not.toContain('hunter2');
    expect(masked).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
    expect(masked).toContain('b = x == true;');
    expect(masked.length).toBe(SOURCE.length);
    expect(masked.split('\n').length).toBe(SOURCE.split('\n').length);
  });

  it('the text format draws code frames from the masked source', async () => {
    const diagnostics = await lintSource('a.nix', SOURCE);
    const out = formatText(
      { files: 1, diagnostics },
      { cwd: '/', root: '/', color: false, version: 'test', sources: new Map([['a.nix', SOURCE]]) },
    );
    expect(out).toContain('secret-in-store');
    expect(out).toContain('bool-comparison');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
  });
});
