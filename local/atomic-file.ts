import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { registerCleanup } from './emulators/process-cleanup';

/**
 * Output files are written beside their target and renamed into place once complete, so a reader
 * sees the old file or the new one, never a part of one: a run that fails, is interrupted or is
 * refused leaves the old target untouched. (A rename within one folder is atomic on POSIX.)
 */

/** The file operations atomic writes go through: node:fs, replaced in fault-injection tests. */
export interface AtomicFileSystem {
  open(path: string, flags: string): Promise<FileHandle>;
  write(handle: FileHandle, data: Uint8Array): Promise<void>;
  sync(handle: FileHandle): Promise<void>;
  close(handle: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdtemp(prefix: string): Promise<string>;
}

export const atomicFs: AtomicFileSystem = {
  open: (path, flags) => fsp.open(path, flags),
  write: async (handle, data) => {
    let offset = 0;
    while (offset < data.byteLength) {
      const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
      offset += bytesWritten;
    }
  },
  sync: (handle) => handle.sync(),
  close: (handle) => handle.close(),
  rename: (from, to) => fsp.rename(from, to),
  mkdtemp: (prefix) => fsp.mkdtemp(prefix),
};

/** A name beside `target`, in its folder, that no other writer uses. */
function siblingTempPath(target: string, tag: string): string {
  const absolute = resolve(target);
  return join(dirname(absolute), `.${basename(absolute)}.${tag}-${randomBytes(6).toString('hex')}`);
}

/**
 * Writes `target` atomically: `produce` writes the content into the stream it is given (ending it,
 * or leaving that to this function); the temporary file beside the target is flushed to disk
 * (fsync) and renamed over the target. On any failure the temporary file is removed, the target
 * is left as it was, and the error is thrown. The target's folder must exist. A target that
 * exists keeps its permissions.
 */
export async function writeFileAtomic(
  target: string,
  produce: (out: Writable) => Promise<void> | void,
): Promise<void> {
  const temp = siblingTempPath(target, 'tmp');
  const unregister = registerCleanup(() => rmSync(temp, { force: true }));
  let handle: FileHandle | undefined;
  try {
    const previous = await fsp.stat(target).catch(() => undefined);
    if (previous?.isDirectory()) throw new Error(`${target} is a folder, not a file`);
    handle = await atomicFs.open(temp, 'wx');
    if (previous) await handle.chmod(previous.mode & 0o7777);
    const open = handle;
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        atomicFs.write(open, chunk).then(() => callback(), callback);
      },
    });
    const done = finished(out);
    // The stream's own failure (a write that threw) is the one to report, not a later symptom.
    done.catch(() => undefined);
    await produce(out);
    if (!out.writableEnded) out.end();
    await done;
    await atomicFs.sync(open);
    handle = undefined;
    await atomicFs.close(open);
    await atomicFs.rename(temp, target);
    await syncFolder(dirname(resolve(target)));
  } catch (error) {
    if (handle) await atomicFs.close(handle).catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw error;
  } finally {
    unregister();
  }
}

/**
 * Throws, naming the file and the fix, unless `target`'s folder exists: for commands to check an
 * output path before they spend minutes on work they could not then write.
 */
export function checkOutputPath(target: string, option: string): void {
  const folder = dirname(resolve(target));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isFolder) throw new Error(`${option} ${target}: the folder ${folder} does not exist; create it first`);
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new Error(`${option} ${target} is a folder: name a file`);
  }
}

/** writeFileAtomic with the whole content at hand. */
export async function writeTextAtomic(target: string, text: string): Promise<void> {
  await writeFileAtomic(target, (out) => {
    out.end(text);
  });
}

/** Makes a rename durable: best effort, as not every file system lets a folder be fsynced. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

/** A folder being written beside the folder it will replace. */
export interface StagedFolder {
  /** Where to write: a fresh, empty folder beside the target. */
  readonly path: string;
  /**
   * Puts the staged folder in the target's place: the old target (if any) is moved aside, the new
   * one renamed in, the old one removed. If the second rename fails the old one is moved back.
   */
  commit(): Promise<void>;
  /** Removes the staged folder; the target is untouched. Safe after commit (then it does nothing). */
  discard(): Promise<void>;
}

/**
 * Stages a folder that will replace `target` (created if absent, with its parents) only when it
 * is complete. Until commit() the target is untouched; if the process is interrupted, the staged
 * folder is removed (process-cleanup).
 */
export async function stageFolder(target: string): Promise<StagedFolder> {
  const absolute = resolve(target);
  await fsp.mkdir(dirname(absolute), { recursive: true });
  const path = await atomicFs.mkdtemp(`${join(dirname(absolute), `.${basename(absolute)}.staging`)}-`);
  const unregister = registerCleanup(() => rmSync(path, { recursive: true, force: true }));
  let settled = false;
  const swapIn = async (): Promise<void> => {
    const exists = await fsp.stat(absolute).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await atomicFs.rename(path, absolute);
    } else {
      const aside = siblingTempPath(absolute, 'old');
      await atomicFs.rename(absolute, aside);
      try {
        await atomicFs.rename(path, absolute);
      } catch (error) {
        await atomicFs.rename(aside, absolute);
        throw error;
      }
      settled = true;
      unregister();
      await fsp.rm(aside, { recursive: true, force: true }).catch((error: unknown) => {
        throw new Error(`${target} is in place, but its old content is left in ${aside}: remove it`, {
          cause: error,
        });
      });
    }
    settled = true;
    unregister();
    await syncFolder(dirname(absolute));
  };
  return {
    path,
    commit: async () => {
      if (settled) throw new Error(`${path} was already committed or discarded`);
      try {
        await swapIn();
      } catch (error) {
        // Past the swap, the new folder is in place and the error says what is left to do.
        if (settled) throw error;
        throw new Error(`could not put the new ${target} in place: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    discard: async () => {
      if (settled) return;
      settled = true;
      await fsp.rm(path, { recursive: true, force: true, maxRetries: 3 });
      unregister();
    },
  };
}
