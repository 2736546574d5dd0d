import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { EnvelopeError } from './errors.ts';
import type { KeyProvider } from './types.ts';

export interface KmsKeyProviderOptions {
  client: KMSClient;
  /** Key id, ARN, alias name (`alias/...`) or alias ARN of a symmetric KMS key. */
  keyId: string;
  /** Unwrapped data keys kept in memory, so rebuilding a model does not call KMS again. Default 256; 0 disables. */
  cacheSize?: number;
}

/** Names the purpose in KMS (visible in CloudTrail) and must match on Decrypt. */
export const KMS_ENCRYPTION_CONTEXT = { purpose: 'ako-serverless/tls-secret' } as const;

/** Data keys from KMS GenerateDataKey (AES_256), unwrapped with KMS Decrypt. */
export function kmsKeyProvider(opts: KmsKeyProviderOptions): KeyProvider {
  const { client, keyId } = opts;
  const cacheSize = opts.cacheSize ?? 256;
  const cache = new Map<string, Buffer>();

  return {
    kind: 'kms',
    async generateDataKey() {
      const out = await callKms('GenerateDataKey', keyId, () =>
        client.send(
          new GenerateDataKeyCommand({
            KeyId: keyId,
            KeySpec: 'AES_256',
            EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT },
          }),
        ),
      );
      if (!out.Plaintext || !out.CiphertextBlob) {
        throw new EnvelopeError('key-unavailable', `KMS GenerateDataKey for ${keyId} returned no data key`);
      }
      // The ARN KMS reports, so Decrypt names the exact key even when we were configured with an alias.
      return {
        keyId: out.KeyId ?? keyId,
        plaintext: Buffer.from(out.Plaintext),
        wrapped: Buffer.from(out.CiphertextBlob),
      };
    },
    async unwrapDataKey(wrapped, envelopeKeyId) {
      const cacheKey = `${envelopeKeyId}\n${wrapped.toString('base64')}`;
      const hit = cache.get(cacheKey);
      if (hit) return Buffer.from(hit);
      const out = await callKms('Decrypt', envelopeKeyId, () =>
        client.send(
          new DecryptCommand({
            CiphertextBlob: wrapped,
            KeyId: envelopeKeyId,
            EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT },
          }),
        ),
      );
      if (!out.Plaintext)
        throw new EnvelopeError('key-unavailable', `KMS Decrypt with ${envelopeKeyId} returned no plaintext`);
      const key = Buffer.from(out.Plaintext);
      if (cacheSize > 0) {
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(cacheKey, Buffer.from(key));
      }
      return key;
    },
  };
}

async function callKms<T>(operation: string, keyId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'InvalidCiphertextException') {
      throw new EnvelopeError(
        'tampered',
        `KMS ${operation}: the wrapped data key is invalid (changed, or another context)`,
      );
    }
    if (name === 'IncorrectKeyException') {
      throw new EnvelopeError('wrong-key', `KMS ${operation}: the data key was not wrapped by ${keyId}`);
    }
    // Access denied, disabled key, throttling...: name the key and the KMS error, keep the cause for retries.
    throw new EnvelopeError(
      'key-unavailable',
      `KMS ${operation} with key ${keyId} failed: ${name}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
