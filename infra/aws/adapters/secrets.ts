// Controller credentials from Secrets Manager: read once per cold start and cached; a failed read is not cached,
// so the next invocation tries again. Error messages name the secret, never its value.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { ControllerCredentials } from '../../../shared/registry/types.ts';
import { SecretValue } from '../../../shared/secret.ts';

export class CredentialsError extends Error {
  override name = 'CredentialsError';
}

/** The secret's JSON value (see infra/aws/DEPLOY.md): a password or an auth token, optionally a username and CA. */
const secretSchema = z
  .object({
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    authtoken: z.string().min(1).optional(),
    certificateAuthorityData: z.string().min(1).optional(),
  })
  .refine((s) => s.password !== undefined || s.authtoken !== undefined, {
    message: 'needs "password" (with "username") or "authtoken"',
  });

export function parseCredentials(secretId: string, text: string | undefined): ControllerCredentials {
  if (!text) throw new CredentialsError(`secret ${secretId} has no value yet: put the controller credentials in it`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsError(`secret ${secretId} is not JSON; expected {"username": ..., "password": ...}`);
  }
  const r = secretSchema.safeParse(json);
  if (!r.success) {
    // Only paths and messages: zod issues for string fields never echo the input here.
    const why = r.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
    throw new CredentialsError(`secret ${secretId}: ${why}`);
  }
  const s = r.data;
  return {
    ...(s.username ? { username: s.username } : {}),
    ...(s.password ? { password: new SecretValue(s.password) } : {}),
    ...(s.authtoken ? { authtoken: new SecretValue(s.authtoken) } : {}),
    ...(s.certificateAuthorityData ? { certificateAuthorityData: s.certificateAuthorityData } : {}),
  };
}

export interface CredentialsLoaderOptions {
  client: SecretsManagerClient;
  secretId: string;
}

/** Returns a loader that calls Secrets Manager at most once while it succeeds. */
export function createCredentialsLoader(opts: CredentialsLoaderOptions): () => Promise<ControllerCredentials> {
  let cached: Promise<ControllerCredentials> | undefined;
  return () => {
    if (!cached) {
      cached = opts.client
        .send(new GetSecretValueCommand({ SecretId: opts.secretId }))
        .then((out) => parseCredentials(opts.secretId, out.SecretString))
        .catch((err: unknown) => {
          cached = undefined;
          if (err instanceof CredentialsError) throw err;
          const name = err instanceof Error ? err.name : 'Error';
          throw new CredentialsError(`cannot read secret ${opts.secretId}: ${name}`);
        });
    }
    return cached;
  };
}
