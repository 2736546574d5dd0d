/**
 * TLS key material arrives encrypted (shared/crypto envelope). It is decrypted only into the model's view,
 * never stored or logged in clear.
 */
import { decryptSecretPayload, type KeyProvider } from '../../shared/crypto/index.ts';

export interface SecretRef {
  cluster: string;
  namespace: string;
  name: string;
}

/**
 * The envelope's plaintext is the Secret's key fields as a JSON object of base64 values, like a Secret's `data`
 * (`{"tls.key": "<base64>"}`); a bare (non-JSON) string is taken as the PEM of `tls.key`. The envelope is bound to the Secret's identity (cluster, namespace, name) when the forwarder
 * sealed it with that context; envelopes sealed without a context are accepted too.
 */
export function secretDecryptor(keyProvider: KeyProvider) {
  return async (payload: unknown, ref: SecretRef): Promise<Record<string, string>> => {
    let plain: Buffer;
    try {
      plain = await decryptSecretPayload(payload, keyProvider, {
        context: { cluster: ref.cluster, namespace: ref.namespace, name: ref.name },
      });
    } catch (first) {
      try {
        plain = await decryptSecretPayload(payload, keyProvider);
      } catch {
        throw first;
      }
    }
    const text = plain.toString('utf8');
    plain.fill(0);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
        return out;
      }
    } catch {
      /* not JSON: a bare key */
    }
    return { 'tls.key': Buffer.from(text, 'utf8').toString('base64') };
  };
}
