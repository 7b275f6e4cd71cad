// `npm run bench [SECTION...]`: prints the machine, then each section's figures. Sections
// live in their own files (lint here; hook, eval and deploy add theirs to SECTIONS).
import { deployBench } from './deploy.js';
import { evalBench } from './eval.js';
import { hookBench } from './hook.js';
import { lintBench } from './lint.js';
import { machineLine } from './measure.js';
import { planBench } from './plan.js';

export type Section = (log: (line: string) => void) => Promise<void>;

const SECTIONS: Record<string, Section> = {
  lint: lintBench,
  hook: hookBench,
  eval: evalBench,
  plan: planBench,
  deploy: deployBench,
};

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => !Object.hasOwn(SECTIONS, a));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}\n`,
    );
    return 2;
  }
  const chosen = argv.length > 0 ? argv : Object.keys(SECTIONS);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(machineLine());
  for (const name of chosen) {
    log(`\n== ${name}`);
    await SECTIONS[name]!(log);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
