import type { ControllerCredentials } from '../registry/types.ts';
import { AVI_SECRET_NAME, CREDENTIAL_ENV, CredentialsError, type SourcedCredentials } from './sources.ts';

export interface ResolvedCredentials {
  credentials: ControllerCredentials;
  /** Where the login came from, e.g. `Secret avi-system/avi-secret` (printable). */
  source: string;
}

function hasLogin(c: ControllerCredentials): boolean {
  return !!c.username && !!(c.password ?? c.authtoken);
}

function isEmpty(c: ControllerCredentials): boolean {
  return !c.username && !c.password && !c.authtoken && !c.certificateAuthorityData;
}

/** A source that gives part of a login is a mistake worth stopping for (a CA alone is fine). */
function incomplete(s: SourcedCredentials): string | undefined {
  const c = s.credentials;
  if (s.partialIsNormal || hasLogin(c) || (!c.username && !c.password && !c.authtoken)) return undefined;
  return c.username
    ? `${s.source} has a username but neither password nor authtoken`
    : `${s.source} has a ${c.password ? 'password' : 'authtoken'} but no username (AKO requires one with either)`;
}

/** How to give credentials, for the error when there are none. */
export function credentialsHelp(namespace: string): string {
  return (
    `create Secret ${AVI_SECRET_NAME} in namespace ${namespace} with username and password (or authtoken) as AKO reads it, ` +
    `set ${CREDENTIAL_ENV.username} and ${CREDENTIAL_ENV.password}, or pass --controller-credentials FILE`
  );
}

/**
 * The login of one instance: the first source, in the order given, that has a username with a password or an
 * authtoken. The CA comes from that source, or else from the first source that has one. With no login anywhere,
 * `fallback` (the simulator's default user) or a CredentialsError saying where to put them.
 */
export function chooseCredentials(
  instance: { id: string; namespace: string },
  candidates: (SourcedCredentials | undefined)[],
  fallback?: SourcedCredentials,
): ResolvedCredentials {
  const present = candidates.filter((c): c is SourcedCredentials => !!c && !isEmpty(c.credentials));
  for (const c of present) {
    const problem = incomplete(c);
    if (problem) throw new CredentialsError(`instance ${instance.id}: ${problem}`);
  }
  const login = present.find((c) => hasLogin(c.credentials)) ?? fallback;
  if (!login) {
    throw new CredentialsError(
      `instance ${instance.id}: no controller credentials; ${credentialsHelp(instance.namespace)}`,
    );
  }
  const ca =
    login.credentials.certificateAuthorityData ??
    present.find((c) => c.credentials.certificateAuthorityData)?.credentials.certificateAuthorityData;
  return {
    source: login.source,
    credentials: { ...login.credentials, ...(ca ? { certificateAuthorityData: ca } : {}) },
  };
}
