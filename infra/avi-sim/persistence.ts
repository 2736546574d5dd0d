import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { StoredObject } from './store.ts';

const FORMAT = 'avi-sim-state/1';

interface StateFile {
  format: string;
  savedAt: string;
  objects: StoredObject[];
}

/** Objects saved by an earlier run, or undefined when the file does not exist yet. */
export function loadState(path: string): StoredObject[] | undefined {
  if (!existsSync(path)) return undefined;
  let data: StateFile;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
  } catch (err) {
    throw new Error(
      `avi-sim state file ${path} is not valid JSON (${err instanceof Error ? err.message : String(err)}); fix or remove it`,
    );
  }
  if (data.format !== FORMAT || !Array.isArray(data.objects)) {
    throw new Error(
      `avi-sim state file ${path} is not in format ${FORMAT}; remove it to start from a fresh controller`,
    );
  }
  return data.objects;
}

/**
 * Saves the store after writes, coalescing bursts into one write (the file holds TLS keys: mode 0600,
 * written to a temporary file and renamed so a crash never leaves half a file).
 */
export function createSaver(path: string, objects: () => StoredObject[], nowIso: () => string) {
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    timer = undefined;
    const data: StateFile = { format: FORMAT, savedAt: nowIso(), objects: objects() };
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    renameSync(tmp, path);
  };
  return {
    schedule(): void {
      timer ??= setTimeout(write, 50);
    },
    flush(): void {
      if (timer) clearTimeout(timer);
      write();
    },
    cancel(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
