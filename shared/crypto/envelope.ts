import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { EnvelopeError } from './errors.ts';
import type { EnvelopeOptions, KeyProvider, SecretEnvelope } from './types.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

/** Shape of an envelope on the wire (for event schemas that carry encrypted secret payloads). */
export const secretEnvelopeSchema = z.object({
  v: z.literal(1),
  alg: z.literal('A256GCM'),
  keyId: z.string().min(1),
  wrappedKey: base64.min(1),
  iv: base64,
  tag: base64,
  ciphertext: base64,
});

export function isSecretEnvelope(x: unknown): x is SecretEnvelope {
  return secretEnvelopeSchema.safeParse(x).success;
}

/** Authenticated data: the envelope header and the caller's context, so none can be swapped unnoticed. */
function additionalData(keyId: string, opts: EnvelopeOptions | undefined): Buffer {
  const context = opts?.context ? Object.entries(opts.context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return Buffer.from(JSON.stringify(['ako-serverless/secret', 1, 'A256GCM', keyId, context]));
}

/** Encrypt one value under a fresh data key (AES-256-GCM, random 96-bit nonce). */
export async function encryptSecretPayload(
  plaintext: Buffer | string,
  keyProvider: KeyProvider,
  opts?: EnvelopeOptions,
): Promise<SecretEnvelope> {
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const key = await keyProvider.generateDataKey();
  try {
    if (key.plaintext.length !== KEY_BYTES) {
      throw new EnvelopeError(
        'key-unavailable',
        `key provider ${keyProvider.kind} returned a data key that is not 256 bits`,
      );
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(key.keyId, opts));
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    return {
      v: 1,
      alg: 'A256GCM',
      keyId: key.keyId,
      wrappedKey: key.wrapped.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  } finally {
    key.plaintext.fill(0);
  }
}

/** Decrypt an envelope; any change to any field fails with EnvelopeError('tampered' | 'wrong-key' | ...). */
export async function decryptSecretPayload(
  envelope: SecretEnvelope | unknown,
  keyProvider: KeyProvider,
  opts?: EnvelopeOptions,
): Promise<Buffer> {
  const env = parseEnvelope(envelope);
  const iv = Buffer.from(env.iv, 'base64');
  const tag = Buffer.from(env.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new EnvelopeError('tampered', `secret envelope: iv must be ${IV_BYTES} bytes and tag ${TAG_BYTES} bytes`);
  }
  const key = await keyProvider.unwrapDataKey(Buffer.from(env.wrappedKey, 'base64'), env.keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(env.keyId, opts));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(env.ciphertext, 'base64')), decipher.final()]);
  } catch (err) {
    throw new EnvelopeError(
      'tampered',
      'secret envelope failed authentication: the ciphertext, nonce, tag or context was changed, or it belongs to another secret',
      { cause: err instanceof Error ? new Error(err.message) : undefined },
    );
  } finally {
    key.fill(0);
  }
}

function parseEnvelope(x: unknown): SecretEnvelope {
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (o.v !== undefined && o.v !== 1) {
      throw new EnvelopeError('unsupported', `secret envelope version ${String(o.v)} is not supported (expected 1)`);
    }
    if (o.alg !== undefined && o.alg !== 'A256GCM') {
      throw new EnvelopeError(
        'unsupported',
        `secret envelope algorithm ${String(o.alg)} is not supported (expected A256GCM)`,
      );
    }
  }
  const parsed = secretEnvelopeSchema.safeParse(x);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new EnvelopeError('bad-envelope', `not a secret envelope {v:1, alg:'A256GCM', ...}: ${fields}`);
  }
  return parsed.data as SecretEnvelope;
}
