// The NixOS rules' share of lint time (issue 3: "the NixOS rules add at most 30%"): the same
// corpus, the same run, one thread, linted with every rule and with the NixOS rules off (and
// with every rule but no options index), runs interleaved so that a noisy neighbour hits all
// alike (see nixosShare for how). unknown-option takes part with
// an options index as a clean fleet's would be: every definition of the corpus is an option,
// padded with made-up paths to the size of a real NixOS index.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TappaasConfig } from '../../scripts/config/types.js';
import { NIXOS_RULE_IDS } from '../../scripts/lint/rules/index.js';
import { moduleInfo } from '../../scripts/nix-ast/module.js';
import { parseNix } from '../../scripts/nix-ast/parser.js';
import { INDEX_VERSION, type OptionsIndexFile } from '../../scripts/nixos/options-index/index-file.js';
import { median, run, type Timing, timed } from './measure.js';

/** About the number of option paths a NixOS 25.05 host's index holds, submodules included. */
const INDEX_SIZE = 40_000;

export interface NixosShare {
  allMs: number;
  offMs: number;
  allCpuMs: number;
  offCpuMs: number;
  /** Every rule on, but no options index (unknown-option idle, the namespace check instead). */
  noIndexMs: number;
  /** The same figure from the medians instead of the fastest runs. */
  medianAddedPct: number;
  indexPaths: number;
}

/** An index file accepting every definition path of the corpus, padded to INDEX_SIZE paths. */
async function writeCorpusIndex(dir: string, files: string[], out: string): Promise<number> {
  const seen = new Set<string>();
  const options: string[][] = [];
  for (const f of files) {
    const source = readFileSync(join(dir, f), 'utf8');
    const tree = await parseNix(source);
    try {
      const info = moduleInfo({ path: f, source, tree, root: tree.rootNode });
      for (const def of info.isModule ? info.definitions : []) {
        // A dynamic name (`${name}`) stands where NixOS has a placeholder (attrsOf).
        const path = def.segments.map((seg) => seg.name ?? '<name>');
        if (seen.has(path.join('.'))) continue;
        seen.add(path.join('.'));
        options.push(path);
      }
    } finally {
      tree.delete();
    }
  }
  for (let i = 0; options.length < INDEX_SIZE; i++)
    options.push(['bench', `group${i % 400}`, `option${i}`, 'enable']);
  const index: OptionsIndexFile = {
    version: INDEX_VERSION,
    host: 'bench',
    flake: dir,
    key: 'bench',
    keySource: 'flake.nix',
    createdAt: new Date().toISOString(),
    options,
    closed: [],
    errors: [],
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'bench.json'), JSON.stringify(index));
  return options.length;
}

/**
 * Lints the corpus with `tappaas lint --no-cache` as a whole process per run (as users run it,
 * and so no configuration inherits another's compiled code or garbage), on one thread (so the
 * clock is not shared), in three configurations, in a rotating order each round. Noise from other
 * work on the machine only ever adds time: the fastest run of each is the closest to its real
 * cost. The medians are kept for comparison.
 */
export async function nixosShare(
  dir: string,
  files: string[],
  tmp: string,
  runs: number,
  cli: string,
): Promise<NixosShare> {
  const indexDir = join(tmp, 'options-index');
  const indexPaths = await writeCorpusIndex(dir, files, indexDir);
  const configs: Record<'all' | 'off' | 'noIndex', TappaasConfig> = {
    all: { lint: { optionsIndex: indexDir } },
    off: {
      lint: {
        optionsIndex: false,
        rules: Object.fromEntries(NIXOS_RULE_IDS.map((id) => [id, 'off' as const])),
      },
    },
    noIndex: { lint: { optionsIndex: false } },
  };
  const env = {
    ...process.env,
    TAPPAAS_LINT_THREADS: '1',
    XDG_CACHE_HOME: join(tmp, 'xdg-share'),
    NO_COLOR: '1',
  };
  const configFile = (name: keyof typeof configs) => join(tmp, `share-${name}.json`);
  for (const name of Object.keys(configs) as (keyof typeof configs)[])
    writeFileSync(configFile(name), JSON.stringify(configs[name]));
  const once = async (name: keyof typeof configs) => {
    const file = configFile(name);
    let out = '';
    const t = await timed(1, async () => {
      const r = await run(
        process.execPath,
        [cli, 'lint', '.', '--no-cache', '--format', 'json', '-c', file],
        {
          cwd: dir,
          env,
          keepStdout: true,
        },
      );
      if (r.code !== 0 && r.code !== 1) throw new Error(`tappaas lint exited ${r.code}:\n${r.stderr}`);
      out = r.stdout;
    });
    return { ...t, out };
  };
  // The index must really be in use: no definition of the corpus is unknown.
  const check = JSON.parse((await once('all')).out) as { diagnostics: { rule: string; message: string }[] };
  const unknown = check.diagnostics.filter(
    (d) => d.rule === 'unknown-option' || d.rule === 'unknown-option-namespace',
  );
  if (unknown.length > 0)
    throw new Error(`the bench index misses ${unknown.length} definitions: ${unknown[0]!.message}`);
  const order = ['all', 'off', 'noIndex'] as const;
  const seen: Record<(typeof order)[number], Timing[]> = { all: [], off: [], noIndex: [] };
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < order.length; k++) {
      const name = order[(i + k) % order.length]!;
      seen[name].push(await once(name));
    }
  }
  const best = (name: (typeof order)[number], key: keyof Timing) =>
    Math.min(...seen[name].map((t) => t[key]));
  const mid = (name: (typeof order)[number]) => median(seen[name].map((t) => t.ms));
  return {
    allMs: best('all', 'ms'),
    offMs: best('off', 'ms'),
    allCpuMs: best('all', 'cpuMs'),
    offCpuMs: best('off', 'cpuMs'),
    noIndexMs: best('noIndex', 'ms'),
    medianAddedPct: (100 * (mid('all') - mid('off'))) / mid('off'),
    indexPaths,
  };
}

/** The report line: how much the NixOS rules add, and their share of the whole. */
export function nixosShareLine(s: NixosShare): string {
  const added = (s.allMs - s.offMs) / s.offMs;
  const share = (s.allMs - s.offMs) / s.allMs;
  const addedCpu = (s.allCpuMs - s.offCpuMs) / s.offCpuMs;
  return (
    `NixOS rules (${NIXOS_RULE_IDS.length}, unknown-option with a ${s.indexPaths}-path index), tappaas lint --no-cache on 1 thread, ` +
    `fastest of each: ${s.allMs.toFixed(0)} ms with all rules vs ${s.offMs.toFixed(0)} ms with them off: ` +
    `they add ${(100 * added).toFixed(1)}% (CPU ${(100 * addedCpu).toFixed(1)}%), ` +
    `${(100 * share).toFixed(1)}% of lint time (target <= 30%) ${added <= 0.3 ? 'ok' : 'MISSED'}; ` +
    `without an options index they add ${((100 * (s.noIndexMs - s.offMs)) / s.offMs).toFixed(1)}%; ` +
    `from the medians instead: ${s.medianAddedPct.toFixed(1)}%`
  );
}
