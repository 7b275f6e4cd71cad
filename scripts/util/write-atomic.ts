// Writes a file whole: a temporary file of this process (a unique name, so concurrent writers
// never share one), then a rename over the old file, so a reader sees the old content or the
// new, never half of it. A failed write leaves no temporary file behind.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function uniqueSuffix(): string {
  return `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${uniqueSuffix()}.tmp`;
  try {
    writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
