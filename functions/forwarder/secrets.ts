/**
 * TLS private keys leave the forwarder only encrypted: the Secret's private fields (`tls.key`, `alt.key`, as
 * base64 exactly as in `data`) are serialised as JSON and sealed with shared/crypto's envelope, bound to
 * `{cluster, namespace, name}`. The event carries the envelope plus that context in `encryptedSecret`.
 */
import { decryptSecretPayload, encryptSecretPayload, type KeyProvider } from '../../shared/crypto/index.ts';
import type { EncryptedSecret } from '../../shared/events/index.ts';

export interface SecretContext {
  cluster: string;
  namespace: string;
  name: string;
}

export async function encryptPrivateFields(
  privateData: Record<string, string>,
  keyProvider: KeyProvider,
  context: SecretContext,
): Promise<EncryptedSecret> {
  const ctx = { cluster: context.cluster, namespace: context.namespace, name: context.name };
  const env = await encryptSecretPayload(JSON.stringify(privateData), keyProvider, { context: ctx });
  return { ...env, context: ctx };
}

/**
 * The inverse, for the sync functions (matches functions/sync's SecretDecryptor): returns the private
 * fields to merge into the Secret's `data`.
 */
export async function decryptPrivateFields(
  payload: EncryptedSecret,
  keyProvider: KeyProvider,
): Promise<Record<string, string>> {
  const context = (payload as { context?: Record<string, string> }).context;
  const plain = await decryptSecretPayload(payload, keyProvider, context ? { context } : undefined);
  const parsed = JSON.parse(plain.toString('utf8')) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('encrypted secret payload is not a map of data fields');
  }
  return parsed as Record<string, string>;
}
