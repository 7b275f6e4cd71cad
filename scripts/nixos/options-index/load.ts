// The trie of the index files a lint run was given, built once per process (and per worker
// thread): the files are large, and every NixOS module of the run asks it.
import { readFileSync } from 'node:fs';
import { parseIndexFile } from './index-file.js';
import { OptionsTrie } from './trie.js';

export class OptionsIndexLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsIndexLoadError';
  }
}

const loaded = new Map<string, OptionsTrie>();

/** `stamp` says when the files changed (sizes and times); the same stamp reuses the trie. */
export function loadOptionsTrie(files: readonly string[], stamp: string): OptionsTrie {
  const memoKey = `${files.join('\n')}\n${stamp}`;
  let trie = loaded.get(memoKey);
  if (trie) return trie;
  trie = new OptionsTrie();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new OptionsIndexLoadError(`options index ${file} cannot be read: ${(err as Error).message}`);
    }
    const index = parseIndexFile(text);
    if (!index)
      throw new OptionsIndexLoadError(
        `${file} is no options index of this version of tappaas; write it again with \`tappaas options-index --refresh\``,
      );
    trie.add(index);
  }
  loaded.set(memoKey, trie);
  return trie;
}
