// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
// One nix-instantiate for many sources: every verdict is exactly what a parse of that source
// alone on stdin gives (real Nix both ways), with far fewer processes.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchArgv, failingFile, nixBatchChecker } from '../../../scripts/nix-ast/nix-batch.js';
import {
  type NixCheckOptions,
  type NixVerdict,
  nixInstantiateChecker,
} from '../../../scripts/nix-ast/nix-parse.js';

// Each batch writes into TMPDIR; a private one shows that nothing is left behind.
let tmp: string;
let savedTmp: string | undefined;
beforeEach(() => {
  savedTmp = process.env.TMPDIR;
  tmp = mkdtempSync(join(tmpdir(), 'tappaas-batch-test-'));
  process.env.TMPDIR = tmp;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(tmp, { recursive: true, force: true });
});

/** Each source alone, on stdin: the verdicts a batch must reproduce. */
async function alone(sources: string[], opts: NixCheckOptions = {}): Promise<NixVerdict[]> {
  const single = nixInstantiateChecker();
  const out: NixVerdict[] = [];
  for (const s of sources) out.push(await single.check(s, opts));
  return out;
}

const VALID = [
  '{ a = 1; }',
  '{ a, b, }: a', // trailing comma in formals
  '{ inherit; c = 2; }',
  '{ x = ~/${"a"}; }',
  'let f = x: x; in f 1',
];

describe('pure parts', () => {
  it('builds argv: the pipe feature only when named, then every file', () => {
    expect(batchArgv(undefined, ['/t/0.nix', '/t/1.nix'])).toEqual(['--parse', '/t/0.nix', '/t/1.nix']);
    expect(batchArgv('pipe-operators', ['/t/0.nix'])).toEqual([
      '--extra-experimental-features',
      'pipe-operators',
      '--parse',
      '/t/0.nix',
    ]);
  });

  it('finds the failing file by our directory name, with or without colours', () => {
    const nix28 = "error: syntax error, unexpected '}'\n\n       at /tmp/tappaas-nix-parse-Ab1/7.nix:1:9:\n";
    expect(failingFile(nix28, 'tappaas-nix-parse-Ab1')).toBe(7);
    const coloured =
      '\x1b[31;1merror:\x1b[0m x\n       at \x1b[35;1m/private/tmp/tappaas-nix-parse-Ab1/12.nix:2:1\x1b[0m:';
    expect(failingFile(coloured, 'tappaas-nix-parse-Ab1')).toBe(12);
    expect(failingFile('error: cannot open store', 'tappaas-nix-parse-Ab1')).toBeUndefined();
    expect(failingFile('at /tmp/tappaas-nix-parse-Zz9/3.nix:1:1', 'tappaas-nix-parse-Ab1')).toBeUndefined();
  });
});

describe('nixBatchChecker with the installed nix-instantiate', () => {
  it('confirms a batch of valid files in one run', async () => {
    const batch = nixBatchChecker();
    const verdicts = await Promise.all(VALID.map((s) => batch.check(s)));
    expect(verdicts).toEqual(VALID.map(() => ({ kind: 'valid' })));
    expect(batch.runs).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('an invalid file in the middle: its own verdict, and every other file still right', async () => {
    const sources = [...VALID.slice(0, 2), '{\n  a = "é";\n  b = 1 }', ...VALID.slice(2)];
    const batch = nixBatchChecker();
    const verdicts = await Promise.all(sources.map((s) => batch.check(s)));
    expect(verdicts).toEqual(await alone(sources));
    expect(verdicts[2]).toEqual({
      kind: 'invalid',
      message: "syntax error, unexpected '}', expecting ';'",
      line: 3,
      column: 9,
    });
    // The failed run, the failing file alone, and one run for the three after it.
    expect(batch.runs).toBe(3);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('gives exactly the verdicts of single parses, whatever the sources', async () => {
    const sources = [
      ...VALID,
      '{ a = 1 }',
      '"éé" +', // Nix counts bytes: column 6 in UTF-16
      '{ a = "🎉"; b = }',
      'x', // an undefined variable is valid syntax
      '{ a, b, }: { c = zz; }',
      '{ a = 1; a = 2; }', // Nix quotes a position inside the message
      '{ a, a }: 1',
      '',
      '# only a comment\n',
      `{ a, b, }: ${' '.repeat(9000)}a\u0000 garbage {{{`, // a NUL past the decoder's look
      '{ s = "\ud800"; }', // a lone surrogate: the same bytes either way
      `${'('.repeat(12_000)}1${')'.repeat(12_000)}`, // too deep for Nix's parser stack
      `[ ${'1 '.repeat(1_000_000)}]`, // 2 MB
      'let\n  x = 1;\nin',
    ];
    const batch = nixBatchChecker();
    const verdicts = await Promise.all(sources.map((s) => batch.check(s)));
    expect(verdicts).toEqual(await alone(sources));
    const invalid = verdicts.filter((v) => v.kind === 'invalid').length;
    expect(invalid).toBeGreaterThanOrEqual(8);
    // Each invalid file costs a run that stops at it and its ask alone; each undefined
    // variable (two here) a run that stops at it; one run confirms the rest.
    expect(batch.runs).toBeLessThanOrEqual(1 + 2 * invalid + 2);
  });

  it('pipe operators: named to Nix only where this Nix has them, in a run of their own', async () => {
    const pipes = ['x: f: x |> f', '{ a, }: a |> builtins.toString'];
    const plain = ['{ a = 1; }', '{ b, }: b'];
    const batch = nixBatchChecker();
    const verdicts = await Promise.all([
      ...pipes.map((s) => batch.check(s, { pipes: true })),
      ...plain.map((s) => batch.check(s)),
    ]);
    expect(verdicts).toEqual([...(await alone(pipes, { pipes: true })), ...(await alone(plain))]);
  });

  it('a caller that awaits each check gets one run per check, as before', async () => {
    const batch = nixBatchChecker();
    for (const s of VALID) expect(await batch.check(s)).toEqual({ kind: 'valid' });
    expect(batch.runs).toBe(VALID.length);
  });

  it('without a usable temporary directory, asks each file alone', async () => {
    process.env.TMPDIR = join(tmp, 'missing');
    const sources = ['{ a = 1; }', '{ a = 1 }', 'x'];
    const batch = nixBatchChecker();
    const verdicts = await Promise.all(sources.map((s) => batch.check(s)));
    expect(verdicts).toEqual(await alone(sources));
    expect(batch.runs).toBe(3);
  });

  it('a run past the timeout: each file asked alone, the slow one unknown as before', async () => {
    // Real Nix, made slow: two million names under 3,000 `with`s take Nix 2.8 seconds to bind
    // (each looks through every `with`), from a file or stdin alike; --version takes ~0.1 s.
    const slow = `x: ${'with x; '.repeat(3000)}[ ${'a '.repeat(2_000_000)}]`;
    const sources = ['{ a, }: a', slow];
    const opts = { timeoutMs: 1500 };
    // Large sources are asked alone by default; this one goes into the run to time it out.
    const batch = nixBatchChecker({ ...opts, aloneChars: Number.POSITIVE_INFINITY });
    const verdicts = await Promise.all(sources.map((s) => batch.check(s)));
    expect(verdicts).toEqual([
      { kind: 'valid' },
      { kind: 'unknown', reason: 'nix-instantiate --parse timed out after 1500 ms', missing: false },
    ]);
    // One run that timed out, then each file alone.
    expect(batch.runs).toBe(3);
    expect(verdicts[1]).toEqual(await nixInstantiateChecker(opts).check(slow));
    expect(readdirSync(tmp)).toEqual([]);
  }, 30_000);

  it('asks a large source alone, on stdin', async () => {
    const large = `[ ${'1 '.repeat(200_000)}}`; // 400 KB, an error at its end
    const batch = nixBatchChecker();
    const verdicts = await Promise.all([batch.check(large), batch.check('{ a, }: a')]);
    expect(verdicts).toEqual(await alone([large, '{ a, }: a']));
    expect(verdicts[0]).toMatchObject({ kind: 'invalid', line: 1, column: 400_003 });
    expect(batch.runs).toBe(2);
  });
});

describe('nixBatchChecker without nix-instantiate', () => {
  it('answers every file unknown, Nix missing, as the single checker does, running nothing', async () => {
    const program = 'nix-instantiate-not-installed';
    const batch = nixBatchChecker({ program });
    const sources = ['{ a, }: a', '{ a = 1 }'];
    const verdicts = await Promise.all(sources.map((s) => batch.check(s)));
    expect(verdicts).toEqual([
      { kind: 'unknown', reason: `${program} not found`, missing: true },
      { kind: 'unknown', reason: `${program} not found`, missing: true },
    ]);
    expect(verdicts).toEqual(
      await Promise.all(sources.map((s) => nixInstantiateChecker({ program }).check(s))),
    );
    expect(batch.runs).toBe(0);
    expect(await batch.version()).toBeUndefined();
  });
});
