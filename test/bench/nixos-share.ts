// The NixOS rules' share of lint time (issue 3: "the NixOS rules add at most 30%"): the same
// corpus, the same run, one thread, linted with every rule and with the NixOS rules off (and
// with every rule but no options index), runs interleaved so that a noisy neighbour hits all
// alike. unknown-option takes part with
// an options index as a clean fleet's would be: every definition of the corpus is an option,
// padded with made-up paths to the size of a real NixOS index.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TappaasConfig } from '../../scripts/lint/config.js';
import { NIXOS_RULE_IDS } from '../../scripts/lint/rules/index.js';
import { lintPaths } from '../../scripts/lint/run.js';
import { moduleInfo } from '../../scripts/nix-ast/module.js';
import { parseNix } from '../../scripts/nix-ast/parser.js';
import { INDEX_VERSION, type OptionsIndexFile } from '../../scripts/nixos/options-index/index-file.js';
import { median } from './measure.js';

/** About the number of option paths a NixOS 25.05 host's index holds, submodules included. */
const INDEX_SIZE = 40_000;

export interface NixosShare {
  allMs: number;
  offMs: number;
  allCpuMs: number;
  offCpuMs: number;
  /** Every rule on, but no options index (unknown-option idle, the namespace check instead). */
  noIndexMs: number;
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

export async function nixosShare(
  dir: string,
  files: string[],
  tmp: string,
  runs: number,
): Promise<NixosShare> {
  const indexDir = join(tmp, 'options-index');
  const indexPaths = await writeCorpusIndex(dir, files, indexDir);
  const all: TappaasConfig = { lint: { optionsIndex: indexDir } };
  const noIndex: TappaasConfig = { lint: { optionsIndex: false } };
  const off: TappaasConfig = {
    lint: {
      optionsIndex: false,
      rules: Object.fromEntries(NIXOS_RULE_IDS.map((id) => [id, 'off' as const])),
    },
  };
  const once = async (config: TappaasConfig) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await lintPaths([dir], { cwd: dir, root: dir, config, cache: false, threads: 1 });
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, found: r.diagnostics };
  };
  // The index must really be in use: no definition of the corpus is unknown.
  const check = await once(all);
  const unknown = check.found.filter(
    (d) => d.rule === 'unknown-option' || d.rule === 'unknown-option-namespace',
  );
  if (unknown.length > 0)
    throw new Error(`the bench index misses ${unknown.length} definitions: ${unknown[0]!.message}`);
  const a: { ms: number; cpuMs: number }[] = [];
  const o: { ms: number; cpuMs: number }[] = [];
  const n: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await once(all));
    o.push(await once(off));
    n.push((await once(noIndex)).ms);
  }
  return {
    allMs: median(a.map((x) => x.ms)),
    offMs: median(o.map((x) => x.ms)),
    allCpuMs: median(a.map((x) => x.cpuMs)),
    offCpuMs: median(o.map((x) => x.cpuMs)),
    noIndexMs: median(n),
    indexPaths,
  };
}

/** The report line: how much the NixOS rules add, and their share of the whole. */
export function nixosShareLine(s: NixosShare): string {
  const added = (s.allMs - s.offMs) / s.offMs;
  const share = (s.allMs - s.offMs) / s.allMs;
  const addedCpu = (s.allCpuMs - s.offCpuMs) / s.offCpuMs;
  return (
    `NixOS rules (${NIXOS_RULE_IDS.length}, unknown-option with a ${s.indexPaths}-path index), 1 thread: ` +
    `${s.allMs.toFixed(0)} ms with all rules vs ${s.offMs.toFixed(0)} ms with them off: ` +
    `they add ${(100 * added).toFixed(1)}% (CPU ${(100 * addedCpu).toFixed(1)}%), ` +
    `${(100 * share).toFixed(1)}% of lint time (target <= 30%) ${added <= 0.3 ? 'ok' : 'MISSED'}; ` +
    `without an options index they add ${((100 * (s.noIndexMs - s.offMs)) / s.offMs).toFixed(1)}%`
  );
}
