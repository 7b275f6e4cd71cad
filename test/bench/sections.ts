// Which sections `npm run bench [SECTION...]` runs. Most take no arguments; a section that
// does (corpus DIR...) takes every word after its name, so it comes last on the line.

export interface Planned {
  name: string;
  args: string[];
}

export type Plan = { ok: true; sections: Planned[] } | { ok: false; message: string };

/**
 * `plain`: the sections run when none is named. `withArgs`: name to usage text; these run
 * only when named, with at least one argument.
 */
export function planSections(argv: string[], plain: string[], withArgs: Record<string, string>): Plan {
  if (argv.length === 0) return { ok: true, sections: plain.map((name) => ({ name, args: [] })) };
  const sections: Planned[] = [];
  const unknown: string[] = [];
  for (const [i, word] of argv.entries()) {
    if (Object.hasOwn(withArgs, word)) {
      const args = argv.slice(i + 1);
      if (args.length === 0) return { ok: false, message: withArgs[word]! };
      sections.push({ name: word, args });
      break;
    }
    if (plain.includes(word)) sections.push({ name: word, args: [] });
    else unknown.push(word);
  }
  if (unknown.length > 0) {
    const known = [...plain, ...Object.keys(withArgs).map((n) => `${n} DIR...`)].join(', ');
    return { ok: false, message: `bench: unknown section ${unknown.join(', ')}; sections: ${known}` };
  }
  return { ok: true, sections };
}
