import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decryptSecretPayload,
  EnvelopeError,
  encryptSecretPayload,
  KMS_ENCRYPTION_CONTEXT,
  kmsKeyProvider,
} from '../../shared/crypto/index.ts';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DATA_KEY = Buffer.alloc(32, 0x5a);
const WRAPPED = Buffer.from('kms-wrapped-data-key-blob');

const kms = mockClient(KMSClient);
afterEach(() => kms.reset());

function mockKms() {
  kms.on(GenerateDataKeyCommand).resolves({
    KeyId: KEY_ARN,
    Plaintext: new Uint8Array(DATA_KEY),
    CiphertextBlob: new Uint8Array(WRAPPED),
  });
  kms.on(DecryptCommand).callsFake((input: { CiphertextBlob?: Uint8Array }) => {
    if (!input.CiphertextBlob || !Buffer.from(input.CiphertextBlob).equals(WRAPPED)) {
      const err = new Error('Invalid ciphertext');
      err.name = 'InvalidCiphertextException';
      throw err;
    }
    return { KeyId: KEY_ARN, Plaintext: new Uint8Array(DATA_KEY) };
  });
}

describe('KMS key provider', () => {
  it('asks KMS for an AES_256 data key and records the key ARN in the envelope', async () => {
    mockKms();
    const provider = kmsKeyProvider({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/ako-serverless' });
    const env = await encryptSecretPayload('tls private key', provider);
    const calls = kms.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      KeyId: 'alias/ako-serverless',
      KeySpec: 'AES_256',
      EncryptionContext: { purpose: 'ako-serverless/tls-secret' },
    });
    expect(env.keyId).toBe(KEY_ARN);
    expect(Buffer.from(env.wrappedKey, 'base64')).toEqual(WRAPPED);
  });

  it('unwraps with Decrypt naming the key and context, and caches the data key', async () => {
    mockKms();
    const provider = kmsKeyProvider({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/ako-serverless' });
    const env = await encryptSecretPayload('tls private key', provider);
    expect((await decryptSecretPayload(env, provider)).toString()).toBe('tls private key');
    expect((await decryptSecretPayload(env, provider)).toString()).toBe('tls private key');
    const calls = kms.commandCalls(DecryptCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(Buffer.from(input.CiphertextBlob!)).toEqual(WRAPPED);
    expect(input.KeyId).toBe(KEY_ARN);
    expect(input.EncryptionContext).toEqual(KMS_ENCRYPTION_CONTEXT);
  });

  it('without a cache every decrypt calls KMS', async () => {
    mockKms();
    const provider = kmsKeyProvider({ client: new KMSClient({ region: 'eu-west-1' }), keyId: KEY_ARN, cacheSize: 0 });
    const env = await encryptSecretPayload('v', provider);
    await decryptSecretPayload(env, provider);
    await decryptSecretPayload(env, provider);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(2);
  });

  it('reports a tampered wrapped key and KMS failures clearly, without plaintext', async () => {
    mockKms();
    const provider = kmsKeyProvider({ client: new KMSClient({ region: 'eu-west-1' }), keyId: KEY_ARN, cacheSize: 0 });
    const env = await encryptSecretPayload('SECRET-PLAINTEXT', provider);
    const tampered = { ...env, wrappedKey: Buffer.from('something else').toString('base64') };
    const err = await decryptSecretPayload(tampered, provider).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvelopeError);
    expect((err as EnvelopeError).code).toBe('tampered');
    expect((err as Error).message).not.toContain('SECRET-PLAINTEXT');

    kms
      .on(DecryptCommand)
      .rejects(
        Object.assign(new Error('User is not authorized to perform kms:Decrypt'), { name: 'AccessDeniedException' }),
      );
    const denied = await decryptSecretPayload(env, provider).catch((e: unknown) => e);
    expect((denied as EnvelopeError).code).toBe('key-unavailable');
    expect((denied as Error).message).toContain(KEY_ARN);
    expect((denied as Error).message).toContain('AccessDeniedException');
  });

  it('a ciphertext changed in transit fails even though KMS unwraps the key', async () => {
    mockKms();
    const provider = kmsKeyProvider({ client: new KMSClient({ region: 'eu-west-1' }), keyId: KEY_ARN });
    const env = await encryptSecretPayload('SECRET-PLAINTEXT', provider);
    const ct = Buffer.from(env.ciphertext, 'base64');
    ct[0]! ^= 0x80;
    const err = await decryptSecretPayload({ ...env, ciphertext: ct.toString('base64') }, provider).catch(
      (e: unknown) => e,
    );
    expect((err as EnvelopeError).code).toBe('tampered');
  });
});
