export { decryptSecretPayload, encryptSecretPayload, isSecretEnvelope, secretEnvelopeSchema } from './envelope.ts';
export { EnvelopeError, type EnvelopeErrorCode } from './errors.ts';
export { KMS_ENCRYPTION_CONTEXT, type KmsKeyProviderOptions, kmsKeyProvider } from './kms-key.ts';
export { type LocalKeyFileOptions, localKeyFileProvider } from './local-key.ts';
export type { DataKey, EnvelopeOptions, KeyProvider, SecretEnvelope } from './types.ts';
