// "Did you mean …?" for a definition path that is no option: first a sibling spelled alike
// (`services.opensh` -> `services.openssh`), then the same names at another place
// (`graphics.enable` -> `hardware.graphics.enable`), then the nearest full path by spelling.
// Only asked for unknown paths, so a scan over every option path is affordable.
import { editDistance } from '../option-namespaces.js';
import { isPlaceholder, type OptionsTrie, type TrieNode } from './trie.js';

export interface OptionSuggestion {
  /** The path to write instead, dotted (placeholders filled with the names written). */
  path: string;
  /** When only segment `at` changes: its new name (a safe in-place replacement). */
  segment?: string;
}

/** Edits allowed for a name of this length: a third of it, at least 1, at most 3. */
const limitFor = (name: string) => Math.min(3, Math.max(1, Math.floor(name.length / 3)));

export function suggestOption(
  trie: OptionsTrie,
  path: readonly string[],
  at: number,
  parent: TrieNode,
): OptionSuggestion | undefined {
  return sibling(trie, path, at, parent) ?? moved(trie, path, at) ?? nearest(trie, path);
}

const dotted = (segments: readonly string[]) => segments.join('.');

function sibling(trie: OptionsTrie, path: readonly string[], at: number, parent: TrieNode) {
  const name = path[at]!;
  let best: string | undefined;
  let bestDistance = limitFor(name) + 1;
  for (const candidate of [...(trie.expand(parent).children?.keys() ?? [])].sort()) {
    const d =
      candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (!best) return undefined;
  const fixed = [...path];
  fixed[at] = best;
  // The whole corrected path when it is known; else just up to the corrected name.
  const shown = trie.lookup(fixed).known ? fixed : fixed.slice(0, at + 1);
  return { path: dotted(shown), segment: best };
}

/** Does option path `p` hold `names` from index j on (placeholders match any name)? */
function holdsAt(p: readonly string[], j: number, names: readonly string[]): boolean {
  if (j + names.length > p.length) return false;
  for (let k = 0; k < names.length; k++) {
    const s = p[j + k]!;
    if (s !== names[k] && !isPlaceholder(s)) return false;
  }
  return true;
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The written names from the unknown one on, found at another place: the longest run of
 * them wins, then the place nearest to where they were written, then the shortest.
 */
function moved(trie: OptionsTrie, path: readonly string[], at: number) {
  const rest = path.slice(at);
  const written = path.slice(0, at);
  for (let k = rest.length; k >= 1; k--) {
    const names = rest.slice(0, k);
    if (names.every(isPlaceholder)) continue;
    let best: { prefix: readonly string[]; score: number } | undefined;
    for (const p of trie.optionPaths()) {
      for (let j = 0; j + k <= p.length; j++) {
        if (isPlaceholder(p[j]!) || !holdsAt(p, j, names)) continue;
        const prefix = p.slice(0, j);
        if (dotted(prefix) === dotted(written)) continue;
        const score = commonPrefix(prefix, written) * 100 - prefix.length;
        if (!best || score > best.score || (score === best.score && dotted(prefix) < dotted(best.prefix)))
          best = { prefix, score };
        break;
      }
    }
    if (best) return { path: dotted([...best.prefix, ...rest]) };
  }
  return undefined;
}

/** The option path nearest by spelling to the whole written path, within a few edits. */
function nearest(trie: OptionsTrie, path: readonly string[]) {
  const text = dotted(path);
  const limit = Math.min(4, Math.max(1, Math.floor(text.length / 6)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const p of trie.optionPaths()) {
    if (p.some(isPlaceholder)) continue;
    const candidate = dotted(p);
    if (Math.abs(candidate.length - text.length) >= bestDistance) continue;
    const d = editDistance(text, candidate, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? { path: best } : undefined;
}
