/**
 * Controller credentials the AKO way: AKO's `avi-secret` Secret in each instance's namespace, AKO's CTRL_*
 * environment variables, a file, or the registry's avicredentials; on AWS, Secrets Manager
 * (infra/aws/adapters/secrets.ts). Passwords and tokens are SecretValues: never printed in clear.
 */
export { chooseCredentials, credentialsHelp, type ResolvedCredentials } from './resolve.ts';
export {
  AVI_SECRET_NAME,
  CREDENTIAL_ENV,
  CredentialsError,
  fromEnvironment,
  fromFile,
  fromRegistry,
  fromSecret,
  type SecretObject,
  type SourcedCredentials,
} from './sources.ts';
