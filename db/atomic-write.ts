/**
 * Writing a file so that no reader (a concurrent build, a crash, Ctrl-C) ever sees it
 * half-written: the bytes go to a temporary file in the same directory (a rename is
 * atomic only within one file system), which is then renamed over the target.
 *
 * `durable` adds what a file that must survive a power cut needs (the database):
 * fsync the temporary file before the rename and the directory after it, so the
 * rename itself is on disk. Caches skip both: losing one costs a rebuild.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AtomicWriteOptions {
  /** fsync the file and its directory (default false). */
  durable?: boolean;
}

export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeFileSync(fd, data); // loops until every byte is written
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  if (options.durable) syncDirectory(dirname(path));
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
