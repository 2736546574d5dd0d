/** A data key: `plaintext` encrypts one payload, `wrapped` travels with it and only the key provider can open it. */
export interface DataKey {
  keyId: string;
  plaintext: Buffer;
  wrapped: Buffer;
}

/** Wraps and unwraps data keys under a master key that never leaves the provider (KMS, a local key file). */
export interface KeyProvider {
  readonly kind: 'local-file' | 'kms';
  generateDataKey(): Promise<DataKey>;
  /** Unwrap a data key produced by `generateDataKey` of a provider holding master key `keyId`. */
  unwrapDataKey(wrapped: Buffer, keyId: string): Promise<Buffer>;
}

/** The encrypted form of one secret value (e.g. a TLS private key), safe to put on the bus or in the store. */
export interface SecretEnvelope {
  v: 1;
  alg: 'A256GCM';
  /** Which master key wrapped the data key (`local:<fingerprint>` or a KMS key ARN). Not secret. */
  keyId: string;
  /** base64 of the wrapped data key. */
  wrappedKey: string;
  /** base64 of the 12-byte GCM nonce. */
  iv: string;
  /** base64 of the 16-byte GCM tag. */
  tag: string;
  /** base64 of the ciphertext. */
  ciphertext: string;
}

export interface EnvelopeOptions {
  /**
   * Names the value (e.g. `{cluster, namespace, name, field: 'tls.key'}`); bound into the GCM tag, so an envelope
   * copied onto another secret fails to decrypt. Decrypt with the same context.
   */
  context?: Record<string, string>;
}
