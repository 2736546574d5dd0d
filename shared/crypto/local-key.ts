import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvelopeError } from './errors.ts';
import type { KeyProvider } from './types.ts';

const KEY_BYTES = 32;
const WRAP_AAD = Buffer.from('ako-serverless/data-key/v1');

export interface LocalKeyFileOptions {
  /** Create the key file (32 random bytes, mode 0600) when it does not exist. Default true. */
  create?: boolean;
}

/**
 * Master key in a local file (the embedded runtime). Data keys are wrapped with AES-256-GCM under it.
 * The file is read once, here, so a missing or too-open file fails at start-up, not at the first secret.
 */
export function localKeyFileProvider(path: string, opts: LocalKeyFileOptions = {}): KeyProvider {
  const master = loadOrCreateKey(path, opts.create ?? true);
  const keyId = `local:${createHash('sha256').update(master).digest('hex').slice(0, 16)}`;
  return {
    kind: 'local-file',
    async generateDataKey() {
      const plaintext = randomBytes(KEY_BYTES);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', master, iv);
      cipher.setAAD(WRAP_AAD);
      const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { keyId, plaintext, wrapped: Buffer.concat([iv, cipher.getAuthTag(), ct]) };
    },
    async unwrapDataKey(wrapped, envelopeKeyId) {
      if (envelopeKeyId !== keyId) {
        throw new EnvelopeError(
          'wrong-key',
          `secret envelope was encrypted with key ${envelopeKeyId}, but the key file ${path} holds ${keyId}; ` +
            'decrypt with the key file the forwarder used',
        );
      }
      if (wrapped.length !== 12 + 16 + KEY_BYTES) {
        throw new EnvelopeError('tampered', 'secret envelope: wrappedKey has the wrong length');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', master, wrapped.subarray(0, 12));
        decipher.setAAD(WRAP_AAD);
        decipher.setAuthTag(wrapped.subarray(12, 28));
        return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
      } catch {
        throw new EnvelopeError('tampered', 'secret envelope: wrappedKey failed authentication (changed or corrupt)');
      }
    },
  };
}

function loadOrCreateKey(path: string, create: boolean): Buffer {
  if (create) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      // 'wx': never overwrite a key another process created meanwhile.
      writeFileSync(path, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EnvelopeError('key-file', `cannot create key file ${path}: ${(err as Error).message}`);
      }
    }
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new EnvelopeError(
      'key-file',
      `cannot open key file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` +
        (create ? '' : '; create it with 32 random bytes and mode 0600, or allow creation'),
    );
  }
  try {
    // Check the mode of the file we actually read (fstat on the open descriptor, no race with a swap).
    const st = fstatSync(fd);
    if (!st.isFile()) throw new EnvelopeError('key-file', `key file ${path} is not a regular file`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new EnvelopeError(
        'key-file',
        `key file ${path} has mode ${mode}: group or others can access it; refusing to use it. ` +
          `Restrict it with "chmod 600 ${path}" (and consider replacing the key if others may have read it)`,
      );
    }
    return decodeKey(readFileSync(fd), path);
  } finally {
    closeSync(fd);
  }
}

/** 32 raw bytes, or their base64 (e.g. `openssl rand -base64 32 > key`). */
function decodeKey(content: Buffer, path: string): Buffer {
  if (content.length === KEY_BYTES) return content;
  const text = content.toString('utf8').trim();
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return Buffer.from(text, 'base64');
  throw new EnvelopeError(
    'key-file',
    `key file ${path} must hold exactly 32 random bytes (or their base64); it holds ${content.length} bytes`,
  );
}
