import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { startAviSim } from '../../avi-sim/index.ts';
import { selfSignedCertificate, type TlsMaterial } from '../../avi-sim/tls.ts';
import {
  type CommandContext,
  countFlag,
  EXIT_OK,
  fileFlag,
  NO_STOP,
  parseFlags,
  portFlag,
  runCommand,
  UsageError,
} from './common.ts';

const HELP = `usage: ako-serverless avi-sim [options]

Runs the Avi Controller simulator until Ctrl-C.

options:
  --port N            port to listen on (default 9443 with --tls, else 9080; 0 = any free port)
  --host ADDR         address to listen on (default 127.0.0.1)
  --tls               serve HTTPS with a generated self-signed certificate; its PEM is printed (use
                      it as certificateAuthorityData). With --state the certificate and key are kept
                      in FILE.cert.pem / FILE.key.pem so clients keep trusting it across restarts
  --ca-file FILE      also write the certificate PEM to FILE
  --cert FILE --key FILE   serve HTTPS with this certificate instead
  --state FILE        load the object store from FILE and save it after every write
  --username U        login user (default admin)
  --password P        login password (default admin)
  --rate-limit N      requests per second per client address before 429 (default: no limit;
                      32 is like a controller's default)
  --version V         controller version (default 30.2.1)
  --vip-network NAME  name of the seeded VIP network (default vip-network)
  --vip-cidr CIDR     its IPv4 subnet (default 10.250.250.0/24)
  --idle-timeout S    session idle timeout in seconds (default 900)`;

export async function run(argv: string[], ctx: CommandContext = NO_STOP): Promise<number> {
  return runCommand(async () => {
    const parsed = parseFlags(
      argv,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        tls: { type: 'boolean' },
        cert: { type: 'string' },
        key: { type: 'string' },
        state: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        'rate-limit': { type: 'string' },
        version: { type: 'string' },
        'vip-network': { type: 'string' },
        'vip-cidr': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'ca-file': { type: 'string' },
      },
      HELP,
      { command: 'avi-sim' },
    );
    if (!parsed) return EXIT_OK;
    const v = parsed.values;
    if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError('--cert and --key go together');
    const port = portFlag('--port', v.port, v.cert !== undefined || v.tls ? 9443 : 9080);
    if (v['vip-cidr'] !== undefined && !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(String(v['vip-cidr']))) {
      throw new UsageError(`--vip-cidr must look like 10.250.250.0/24`);
    }
    const tls: TlsMaterial | false =
      v.cert !== undefined && v.key !== undefined
        ? {
            cert: readFileSync(fileFlag('--cert', v.cert), 'utf8'),
            key: readFileSync(fileFlag('--key', v.key), 'utf8'),
          }
        : v.tls
          ? await generatedCertificate(v.state, v.host)
          : false;
    const rate = countFlag('--rate-limit', v['rate-limit']);
    const idle = countFlag('--idle-timeout', v['idle-timeout']);

    const sim = await startAviSim({
      port,
      ...(v.host ? { host: v.host } : {}),
      tls,
      ...(v.state ? { stateFile: v.state } : {}),
      ...(v.username ? { username: v.username } : {}),
      ...(v.password ? { password: v.password } : {}),
      ...(rate !== undefined ? { rateLimitPerSecond: rate } : {}),
      ...(idle !== undefined ? { sessionIdleSeconds: idle } : {}),
      ...(v.version ? { version: v.version } : {}),
      ...(v['vip-network'] || v['vip-cidr']
        ? {
            vipNetwork: {
              ...(v['vip-network'] ? { name: v['vip-network'] } : {}),
              ...(v['vip-cidr'] ? { cidr: v['vip-cidr'] } : {}),
            },
          }
        : {}),
    });
    console.log(`avi-sim: Avi Controller ${sim.version} simulator listening on ${sim.url}`);
    console.log(`avi-sim: login ${sim.username}/*** ; VIP network '${sim.vipNetworkName}'`);
    if (v.state) console.log(`avi-sim: state saved to ${v.state}`);
    if (sim.ca) console.log(`avi-sim: certificate (use as certificateAuthorityData):\n${sim.ca}`);
    if (sim.ca && v['ca-file']) {
      writeFileSync(v['ca-file'], sim.ca);
      console.log(`avi-sim: certificate written to ${v['ca-file']}`);
    }
    console.log('avi-sim: press Ctrl-C to stop');
    await ctx.stopRequested();
    await sim.close();
    console.log('avi-sim: stopped');
    return EXIT_OK;
  });
}

/** A self-signed certificate, kept beside the state file (key 0600) so restarts keep the same one. */
async function generatedCertificate(stateFile: string | undefined, host: string | undefined): Promise<TlsMaterial> {
  const certPath = stateFile ? `${stateFile}.cert.pem` : undefined;
  const keyPath = stateFile ? `${stateFile}.key.pem` : undefined;
  if (certPath && keyPath && existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  }
  const material = await selfSignedCertificate(host && host !== '0.0.0.0' ? [host] : []);
  if (certPath && keyPath) {
    writeFileSync(keyPath, material.key, { mode: 0o600 });
    writeFileSync(certPath, material.cert);
  }
  return material;
}
