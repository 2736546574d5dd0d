import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decryptSecretPayload,
  EnvelopeError,
  encryptSecretPayload,
  isSecretEnvelope,
  localKeyFileProvider,
  type SecretEnvelope,
} from '../../shared/crypto/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ako-crypto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const keyPath = () => join(dir, `k${++n}`, 'secret.key');

const PRIVATE_KEY =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
const posix = process.platform !== 'win32';

/** Flip one bit in a base64 field. */
function flip(b64: string, byte = 0): string {
  const buf = Buffer.from(b64, 'base64');
  buf[byte % buf.length]! ^= 0x01;
  return buf.toString('base64');
}

async function expectEnvelopeError(p: Promise<unknown>, code: string): Promise<EnvelopeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EnvelopeError);
  expect((err as EnvelopeError).code).toBe(code);
  // The failure never echoes the secret.
  expect(String((err as Error).message)).not.toContain('PRIVATE KEY');
  expect(JSON.stringify(err)).not.toContain('PRIVATE KEY');
  return err as EnvelopeError;
}

describe('envelope encryption with a local key file', () => {
  it('round-trips strings and bytes, with the documented envelope shape', async () => {
    const kp = localKeyFileProvider(keyPath());
    const env = await encryptSecretPayload(PRIVATE_KEY, kp);
    expect(Object.keys(env).sort()).toEqual(['alg', 'ciphertext', 'iv', 'keyId', 'tag', 'v', 'wrappedKey']);
    expect(env).toMatchObject({ v: 1, alg: 'A256GCM' });
    expect(env.keyId).toMatch(/^local:[0-9a-f]{16}$/);
    expect(Buffer.from(env.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(env.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(env.ciphertext, 'base64')).toHaveLength(Buffer.byteLength(PRIVATE_KEY));
    expect(JSON.stringify(env)).not.toContain('PRIVATE');
    expect(isSecretEnvelope(env)).toBe(true);
    expect((await decryptSecretPayload(env, kp)).toString('utf8')).toBe(PRIVATE_KEY);

    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    expect(await decryptSecretPayload(await encryptSecretPayload(bytes, kp), kp)).toEqual(bytes);
    expect(await decryptSecretPayload(await encryptSecretPayload('', kp), kp)).toEqual(Buffer.alloc(0));
  });

  it('round-trips any payload and uses a fresh data key and nonce per message', async () => {
    const kp = localKeyFileProvider(keyPath());
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const a = await encryptSecretPayload(Buffer.from(bytes), kp);
        const b = await encryptSecretPayload(Buffer.from(bytes), kp);
        expect(a.wrappedKey).not.toBe(b.wrappedKey);
        expect(a.iv).not.toBe(b.iv);
        expect(await decryptSecretPayload(a, kp)).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 100 },
    );
  });

  it('a second provider on the same key file decrypts (forwarder and sync share the file)', async () => {
    const path = keyPath();
    const env = await encryptSecretPayload(PRIVATE_KEY, localKeyFileProvider(path));
    expect((await decryptSecretPayload(env, localKeyFileProvider(path))).toString()).toBe(PRIVATE_KEY);
  });

  it('detects tampering with any field and never returns plaintext', async () => {
    const kp = localKeyFileProvider(keyPath());
    const env = await encryptSecretPayload(PRIVATE_KEY, kp);
    const cases: [string, SecretEnvelope, string][] = [
      ['ciphertext', { ...env, ciphertext: flip(env.ciphertext, 5) }, 'tampered'],
      ['tag', { ...env, tag: flip(env.tag) }, 'tampered'],
      ['iv', { ...env, iv: flip(env.iv) }, 'tampered'],
      ['wrappedKey', { ...env, wrappedKey: flip(env.wrappedKey, 40) }, 'tampered'],
      ['short iv', { ...env, iv: Buffer.alloc(8).toString('base64') }, 'tampered'],
      [
        'truncated ciphertext',
        { ...env, ciphertext: Buffer.from(env.ciphertext, 'base64').subarray(1).toString('base64') },
        'tampered',
      ],
      ['keyId', { ...env, keyId: 'local:0000000000000000' }, 'wrong-key'],
    ];
    for (const [, bad, code] of cases) await expectEnvelopeError(decryptSecretPayload(bad, kp), code);
  });

  it('binds the optional context: an envelope moved to another secret fails', async () => {
    const kp = localKeyFileProvider(keyPath());
    const context = { cluster: 'prod', namespace: 'team-a', name: 'web-tls', field: 'tls.key' };
    const env = await encryptSecretPayload(PRIVATE_KEY, kp, { context });
    // Key order of the context does not matter.
    const reordered = { field: 'tls.key', name: 'web-tls', namespace: 'team-a', cluster: 'prod' };
    expect((await decryptSecretPayload(env, kp, { context: reordered })).toString()).toBe(PRIVATE_KEY);
    await expectEnvelopeError(decryptSecretPayload(env, kp, { context: { ...context, name: 'other' } }), 'tampered');
    await expectEnvelopeError(decryptSecretPayload(env, kp), 'tampered');
  });

  it('rejects envelopes of another key, version or shape with clear errors', async () => {
    const kp = localKeyFileProvider(keyPath());
    const other = localKeyFileProvider(keyPath());
    const env = await encryptSecretPayload(PRIVATE_KEY, kp);
    const wrong = await expectEnvelopeError(decryptSecretPayload(env, other), 'wrong-key');
    expect(wrong.message).toContain(env.keyId);
    expect((await expectEnvelopeError(decryptSecretPayload({ ...env, v: 2 }, kp), 'unsupported')).message).toMatch(
      /version 2/,
    );
    expect(
      (await expectEnvelopeError(decryptSecretPayload({ ...env, alg: 'A128CBC' }, kp), 'unsupported')).message,
    ).toMatch(/A128CBC/);
    const shape = await expectEnvelopeError(
      decryptSecretPayload({ v: 1, alg: 'A256GCM', keyId: 'x', iv: '%%' }, kp),
      'bad-envelope',
    );
    expect(shape.message).toMatch(/wrappedKey/);
    expect(shape.message).toMatch(/iv: must be base64/);
    await expectEnvelopeError(decryptSecretPayload('not an envelope', kp), 'bad-envelope');
    expect(isSecretEnvelope({ ...env, tag: undefined })).toBe(false);
  });
});

describe('local key file', () => {
  it.skipIf(!posix)('creates a missing key file: 32 bytes, mode 0600, directory 0700', () => {
    const path = keyPath();
    const kp = localKeyFileProvider(path);
    expect(kp.kind).toBe('local-file');
    expect(readFileSync(path)).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
  });

  it('keeps an existing key (never overwrites it) and names it by fingerprint only', async () => {
    const path = keyPath();
    localKeyFileProvider(path);
    const before = readFileSync(path);
    const env = await encryptSecretPayload('x', localKeyFileProvider(path));
    expect(readFileSync(path)).toEqual(before);
    const fingerprint = createHash('sha256').update(before).digest('hex').slice(0, 16);
    expect(env.keyId).toBe(`local:${fingerprint}`);
    expect(env.keyId).not.toContain(before.toString('hex'));
  });

  it.skipIf(!posix)('refuses a key file readable by group or others, and says how to fix it', () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      const path = keyPath();
      localKeyFileProvider(path);
      chmodSync(path, mode);
      let err: unknown;
      try {
        localKeyFileProvider(path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EnvelopeError);
      expect((err as EnvelopeError).code).toBe('key-file');
      expect((err as Error).message).toContain(`mode 0${mode.toString(8)}`);
      expect((err as Error).message).toContain(`chmod 600 ${path}`);
    }
  });

  it('accepts a base64 key file and rejects one of the wrong size', () => {
    const b64 = keyPath();
    localKeyFileProvider(b64); // creates the directory
    writeFileSync(b64, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    expect(() => localKeyFileProvider(b64)).not.toThrow();
    const short = keyPath();
    localKeyFileProvider(short);
    writeFileSync(short, Buffer.alloc(16), { mode: 0o600 });
    expect(() => localKeyFileProvider(short)).toThrow(/exactly 32 random bytes/);
  });

  it('does not create the file when creation is off', () => {
    const path = keyPath();
    expect(() => localKeyFileProvider(path, { create: false })).toThrow(/cannot open key file .*ENOENT/);
  });
});
