/**
 * Controller credentials from the places AKO users keep them, each read into the same shape. Pure: callers read
 * the files, environment and Kubernetes objects. Errors name the source and the field, never a value.
 */
import { parse as parseYaml } from 'yaml';
import type { ControllerCredentials } from '../registry/types.ts';
import { SecretValue } from '../secret.ts';

/** AKO's Secret of controller credentials, in each instance's namespace. */
export const AVI_SECRET_NAME = 'avi-secret';

/** The environment variables AKO's container reads (pkg/utils/constants.go: CTRL_*). */
export const CREDENTIAL_ENV = {
  username: 'CTRL_USERNAME',
  password: 'CTRL_PASSWORD',
  authtoken: 'CTRL_AUTHTOKEN',
  certificateAuthorityData: 'CTRL_CA_DATA',
} as const;

const FIELDS = ['username', 'password', 'authtoken', 'certificateAuthorityData'] as const;
type Field = (typeof FIELDS)[number];

export class CredentialsError extends Error {
  override name = 'CredentialsError';
}

/** Credentials as one source gives them, with where they came from (printable: never a value). */
export interface SourcedCredentials {
  source: string;
  credentials: ControllerCredentials;
  /** Part of a login here is normal (Helm values often hold only the username; the Secret has the rest). */
  partialIsNormal?: boolean;
}

function build(values: Partial<Record<Field, string>>): ControllerCredentials {
  return {
    ...(values.username ? { username: values.username } : {}),
    ...(values.password ? { password: new SecretValue(values.password) } : {}),
    ...(values.authtoken ? { authtoken: new SecretValue(values.authtoken) } : {}),
    ...(values.certificateAuthorityData ? { certificateAuthorityData: values.certificateAuthorityData } : {}),
  };
}

/** A Kubernetes Secret object as the API returns it (`data` base64) or as written (`stringData`). */
export interface SecretObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * AKO's `avi-secret`: `username`, `password` or `authtoken`, `certificateAuthorityData`, base64 in `data`
 * (what `kubectl create secret generic` and AKO's Helm chart write); `stringData` is read as plain text.
 */
export function fromSecret(secret: SecretObject, source: string): SourcedCredentials {
  const values: Partial<Record<Field, string>> = {};
  for (const field of FIELDS) {
    const plain = secret.stringData?.[field];
    const encoded = secret.data?.[field];
    if (typeof plain === 'string') values[field] = plain;
    else if (encoded !== undefined && encoded !== null) {
      const text = typeof encoded === 'string' ? encoded.replace(/\s+/g, '') : '';
      if (typeof encoded !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) {
        throw new CredentialsError(`${source}: data.${field} is not base64 (kubectl encodes it for you)`);
      }
      values[field] = Buffer.from(text, 'base64').toString('utf8');
    }
  }
  return { source, credentials: build(values) };
}

/** `CTRL_USERNAME`, `CTRL_PASSWORD` or `CTRL_AUTHTOKEN`, `CTRL_CA_DATA`: the variables AKO's container reads. */
export function fromEnvironment(env: Record<string, string | undefined>): SourcedCredentials {
  const values: Partial<Record<Field, string>> = {};
  for (const field of FIELDS) {
    const v = env[CREDENTIAL_ENV[field]];
    if (v) values[field] = v;
  }
  return { source: `environment (${Object.values(CREDENTIAL_ENV).join(', ')})`, credentials: build(values) };
}

/**
 * A credentials file: either an avi-secret manifest (`kubectl get secret avi-secret -o yaml`) or a YAML/JSON map
 * with the same keys in plain text (the Secrets Manager value on AWS has this shape).
 */
export function fromFile(text: string, path: string): SourcedCredentials {
  const source = `file ${path}`;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    throw new CredentialsError(`${source} is neither YAML nor JSON; expected username and password (or authtoken)`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CredentialsError(`${source}: expected a map with username and password (or authtoken)`);
  }
  const map = doc as Record<string, unknown>;
  if (map.kind === 'Secret') return fromSecret(map as SecretObject, source);
  const unknown = Object.keys(map).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new CredentialsError(`${source}: unknown key(s) ${unknown.join(', ')}; the keys are ${FIELDS.join(', ')}`);
  }
  const values: Partial<Record<Field, string>> = {};
  for (const field of FIELDS) {
    const v = map[field];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') throw new CredentialsError(`${source}: ${field} must be a string`);
    values[field] = v;
  }
  return { source, credentials: build(values) };
}

/** The registry's `avicredentials` (Helm values; a plain-text password there is for development only). */
export function fromRegistry(credentials: ControllerCredentials, instanceId: string): SourcedCredentials {
  return { source: `registry avicredentials of ${instanceId}`, credentials, partialIsNormal: true };
}
