// The long-lived `git cat-file --batch-command` reader: answers in order, missing objects as
// undefined, and a request nobody flushed is still answered (a forgotten flush once left a
// pre-receive hook waiting forever on a branch set straight to a tree).
import { afterEach, describe, expect, it } from 'vitest';
import { CatFile } from '../../scripts/git/cat-file.js';
import { GitFixture } from '../helpers/git.js';

let g: GitFixture | undefined;
let cat: CatFile | undefined;
afterEach(() => {
  cat?.close();
  g?.cleanup();
  g = undefined;
  cat = undefined;
});

describe('CatFile', () => {
  it('answers info and contents in order, and missing objects as undefined', async () => {
    g = new GitFixture('tappaas-catfile-');
    const tip = g.commit(undefined, { 'a.txt': 'hello\n' }, 'one');
    cat = new CatFile(g.work, g.env);
    const info = cat.info(tip);
    const body = cat.contents(`${tip}:a.txt`);
    const missing = cat.info('1111111111111111111111111111111111111111');
    cat.flush();
    expect((await info)?.type).toBe('commit');
    expect((await body)?.data.toString()).toBe('hello\n');
    expect(await missing).toBeUndefined();
  });

  it('answers a request that was never flushed', async () => {
    g = new GitFixture('tappaas-catfile-');
    const tip = g.commit(undefined, { 'a.txt': 'x\n' }, 'one');
    cat = new CatFile(g.work, g.env);
    const peeled = await cat.info(`${tip}^{tree}`);
    expect(peeled?.type).toBe('tree');
  });
});
