import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CredentialsError,
  chooseCredentials,
  fromEnvironment,
  fromFile,
  fromRegistry,
  fromSecret,
  type SourcedCredentials,
} from '../../shared/credentials/index.ts';
import { SecretValue } from '../../shared/secret.ts';

// base64 of the values, as `kubectl create secret generic avi-secret --from-literal=...` stores them.
const B64 = {
  admin: 'YWRtaW4=', // admin
  password: 'cEBzcyB3b3JkIQ==', // p@ss word!
  token: 'dG9rLTEyMw==', // tok-123
  ca: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
};
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const INSTANCE = { id: 'demo/avi-system', namespace: 'avi-system' };

function clear(s: SourcedCredentials) {
  const c = s.credentials;
  return {
    username: c.username,
    password: c.password?.reveal(),
    authtoken: c.authtoken?.reveal(),
    certificateAuthorityData: c.certificateAuthorityData,
  };
}

describe("AKO's avi-secret", () => {
  it('decodes username, password and certificateAuthorityData from base64 data', () => {
    const s = fromSecret(
      { kind: 'Secret', data: { username: B64.admin, password: B64.password, certificateAuthorityData: B64.ca } },
      'Secret avi-system/avi-secret',
    );
    expect(clear(s)).toEqual({
      username: 'admin',
      password: 'p@ss word!',
      authtoken: undefined,
      certificateAuthorityData: CA_PEM,
    });
    expect(s.credentials.password).toBeInstanceOf(SecretValue);
  });

  it('reads an authtoken instead of a password, and stringData as plain text', () => {
    const s = fromSecret({ data: { username: B64.admin, authtoken: B64.token } }, 'x');
    expect(clear(s)).toMatchObject({ username: 'admin', authtoken: 'tok-123', password: undefined });
    const plain = fromSecret({ stringData: { username: 'u', password: 'p' } }, 'x');
    expect(clear(plain)).toMatchObject({ username: 'u', password: 'p' });
  });

  it('refuses a value that is not base64, naming the field and not the value', () => {
    let err: unknown;
    try {
      fromSecret({ data: { username: B64.admin, password: 'hunter2!' } }, 'Secret blue/avi-secret');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toBe(
      'Secret blue/avi-secret: data.password is not base64 (kubectl encodes it for you)',
    );
  });
});

describe('environment and files', () => {
  it("reads AKO's CTRL_* variables", () => {
    const s = fromEnvironment({ CTRL_USERNAME: 'ako', CTRL_AUTHTOKEN: 't', CTRL_CA_DATA: CA_PEM, OTHER: 'x' });
    expect(clear(s)).toEqual({
      username: 'ako',
      password: undefined,
      authtoken: 't',
      certificateAuthorityData: CA_PEM,
    });
  });

  it('reads an avi-secret manifest or a plain YAML/JSON map', () => {
    const manifest = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: avi-secret, namespace: avi-system}',
      'type: Opaque',
      'data:',
      `  username: ${B64.admin}`,
      `  password: ${B64.password}`,
    ].join('\n');
    expect(clear(fromFile(manifest, 'creds.yaml'))).toMatchObject({ username: 'admin', password: 'p@ss word!' });
    const json = JSON.stringify({ username: 'admin', password: 'p@ss word!', certificateAuthorityData: CA_PEM });
    expect(clear(fromFile(json, 'creds.json'))).toEqual({
      username: 'admin',
      password: 'p@ss word!',
      authtoken: undefined,
      certificateAuthorityData: CA_PEM,
    });
  });

  it('refuses unknown keys and non-maps with the file name, never echoing a value', () => {
    expect(() => fromFile('user: admin\npass: hunter2', 'c.yaml')).toThrow(
      'file c.yaml: unknown key(s) user, pass; the keys are username, password, authtoken, certificateAuthorityData',
    );
    expect(() => fromFile('- hunter2', 'c.yaml')).toThrow(/^file c\.yaml: expected a map/);
    expect(() => fromFile('username: admin\npassword: 42', 'c.yaml')).toThrow('file c.yaml: password must be a string');
  });
});

describe('choosing the login of an instance', () => {
  const file = fromFile('username: from-file\npassword: f', 'f.yaml');
  const env = fromEnvironment({ CTRL_USERNAME: 'from-env', CTRL_PASSWORD: 'e' });
  const secret = fromSecret({ data: { username: B64.admin, password: B64.password } }, 'Secret avi-system/avi-secret');
  const registry = fromRegistry({ username: 'from-values', password: new SecretValue('r') }, INSTANCE.id);

  it('takes the first source with a login: file, environment, avi-secret, registry', () => {
    expect(chooseCredentials(INSTANCE, [file, env, secret, registry]).source).toBe('file f.yaml');
    expect(chooseCredentials(INSTANCE, [undefined, env, secret, registry]).credentials.username).toBe('from-env');
    const fromSecretOnly = chooseCredentials(INSTANCE, [undefined, fromEnvironment({}), secret, registry]);
    expect(fromSecretOnly.source).toBe('Secret avi-system/avi-secret');
    expect(fromSecretOnly.credentials.password?.reveal()).toBe('p@ss word!');
    expect(chooseCredentials(INSTANCE, [fromEnvironment({}), registry]).credentials.username).toBe('from-values');
  });

  it('takes the CA from another source when the login source has none', () => {
    const caOnly = fromEnvironment({ CTRL_CA_DATA: CA_PEM });
    const r = chooseCredentials(INSTANCE, [caOnly, secret]);
    expect(r.source).toBe('Secret avi-system/avi-secret');
    expect(r.credentials.certificateAuthorityData).toBe(CA_PEM);
  });

  it('stops on half a login in a file, the environment or a Secret, but not on a username in Helm values', () => {
    const noUser = fromSecret({ data: { password: B64.password } }, 'Secret blue/avi-secret');
    expect(() => chooseCredentials(INSTANCE, [noUser])).toThrow(
      'instance demo/avi-system: Secret blue/avi-secret has a password but no username (AKO requires one with either)',
    );
    const userOnly = fromEnvironment({ CTRL_USERNAME: 'ako' });
    expect(() => chooseCredentials(INSTANCE, [userOnly, secret])).toThrow(/has a username but neither/);
    const valuesUser = fromRegistry({ username: 'admin' }, INSTANCE.id);
    expect(chooseCredentials(INSTANCE, [valuesUser, secret]).source).toBe('Secret avi-system/avi-secret');
  });

  it('says where to put credentials when there are none, or uses the fallback', () => {
    expect(() => chooseCredentials(INSTANCE, [fromEnvironment({}), fromRegistry({ username: 'admin' }, 'x')])).toThrow(
      'instance demo/avi-system: no controller credentials; create Secret avi-secret in namespace avi-system with ' +
        'username and password (or authtoken) as AKO reads it, set CTRL_USERNAME and CTRL_PASSWORD, or pass --controller-credentials FILE',
    );
    const fallback = { source: 'simulator', credentials: { username: 'admin', password: new SecretValue('admin') } };
    expect(chooseCredentials(INSTANCE, [fromEnvironment({})], fallback).source).toBe('simulator');
  });

  it('never shows a password or token when printed, logged or serialised', () => {
    const r = chooseCredentials(INSTANCE, [secret]);
    const shown = [JSON.stringify(r), inspect(r, { depth: 10 }), String(r.credentials.password), `${r.source}`];
    for (const text of shown) expect(text).not.toContain('p@ss word!');
  });
});
