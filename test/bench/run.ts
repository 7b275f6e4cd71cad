// `npm run bench [SECTION...]`: prints the machine, then each section's figures. Sections
// live in their own files (lint here; hook, eval and deploy add theirs to SECTIONS). Those
// that need arguments (corpus DIR...) are in WITH_ARGS and run only when named.
import { corpusBench, corpusUsage } from './corpus-run.js';
import { deployBench } from './deploy.js';
import { evalBench } from './eval.js';
import { hookBench } from './hook.js';
import { lintBench } from './lint.js';
import { machineLine } from './measure.js';
import { planBench } from './plan.js';
import { planSections } from './sections.js';

type Log = (line: string) => void;
export type Section = (log: Log) => Promise<void>;

const SECTIONS: Record<string, Section> = {
  lint: lintBench,
  hook: hookBench,
  eval: evalBench,
  plan: planBench,
  deploy: deployBench,
};

/** Sections that take arguments: each returns its exit code (2: bad input, said plainly). */
const WITH_ARGS: Record<string, { run: (log: Log, args: string[]) => Promise<number>; usage: string }> = {
  corpus: { run: corpusBench, usage: corpusUsage },
};

async function main(argv: string[]): Promise<number> {
  const usage = Object.fromEntries(Object.entries(WITH_ARGS).map(([name, s]) => [name, s.usage]));
  const plan = planSections(argv, Object.keys(SECTIONS), usage);
  if (!plan.ok) {
    process.stderr.write(`${plan.message}\n`);
    return 2;
  }
  const log: Log = (line) => process.stdout.write(`${line}\n`);
  log(machineLine());
  let code = 0;
  for (const { name, args } of plan.sections) {
    log(`\n== ${name}${args.length ? ` ${args.join(' ')}` : ''}`);
    const withArgs = WITH_ARGS[name];
    if (withArgs) code = Math.max(code, await withArgs.run(log, args));
    else await SECTIONS[name]!(log);
  }
  return code;
}

process.exitCode = await main(process.argv.slice(2));
