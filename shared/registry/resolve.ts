// One registry entry (helm -n, -f values.yaml, --set ...) → one InstanceConfig with AKO's defaults and derived names.
import { SecretValue } from '../secret.ts';
import { checkChartKeys } from './chart-check.ts';
import {
  AKO_LOG_LEVELS,
  AUTO_FQDN,
  akoDefaults,
  CLUSTER_NAME_RE,
  CNI_PLUGINS,
  DEFAULT_AKO_NAMESPACE,
  IP_FAMILIES,
  PASSTHROUGH_SHARD_SIZES,
  SERVICE_TYPES,
  SHARD_SIZES,
} from './defaults.ts';
import { type RegistryProblem, RegistryValidationError } from './errors.ts';
import { isPlainObject, mergeValues, parseGoBool, setPath, typeSetValue, type Values } from './helm.ts';
import type { InstanceConfig, NodeNetwork, VipNetwork } from './types.ts';

export interface RegistryEntry {
  /** The namespace the instance is installed in (helm -n); default avi-system. */
  namespace?: string;
  /** Parsed AKO Helm values (the `-f values.yaml` content). */
  values?: object;
  /** Helm `--set` overrides with dotted keys; string values are typed as Helm types them. */
  set?: Record<string, unknown>;
  /** Helm `--set-string` overrides: values stay strings (e.g. a password that looks like `{a,b}` or `true`). */
  setString?: Record<string, unknown>;
}

const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Resolves one instance; throws RegistryValidationError listing every problem of this instance. */
export function resolveInstance(entry: RegistryEntry): InstanceConfig {
  const { config, problems } = resolveInstanceChecked(entry);
  if (problems.length > 0) throw new RegistryValidationError(problems);
  return config;
}

/** Resolves one instance and returns its problems instead of throwing (the registry collects them all). */
export function resolveInstanceChecked(
  entry: RegistryEntry,
  label?: string,
): { config: InstanceConfig; problems: RegistryProblem[] } {
  const problems: RegistryProblem[] = [];
  const user: Values = isPlainObject(entry.values) ? mergeValues({}, entry.values) : {};
  for (const [key, raw] of Object.entries(entry.set ?? {})) {
    try {
      setPath(user, key, typeSetValue(raw));
    } catch (err) {
      problems.push({ key: `set.${key}`, message: err instanceof Error ? err.message : String(err) });
    }
  }
  for (const [key, raw] of Object.entries(entry.setString ?? {})) {
    try {
      setPath(user, key, raw === null || raw === undefined ? '' : String(raw));
    } catch (err) {
      problems.push({ key: `setString.${key}`, message: err instanceof Error ? err.message : String(err) });
    }
  }
  const chart = checkChartKeys(user);
  problems.push(...chart.problems);
  const values = mergeValues(akoDefaults(), user);

  const namespace = entry.namespace ?? DEFAULT_AKO_NAMESPACE;
  const r = new Reader(values, problems);
  const clusterName = r.str('AKOSettings.clusterName');
  const id = `${clusterName}/${namespace}`;

  if (typeof namespace !== 'string' || namespace.length > 63 || !NAMESPACE_RE.test(namespace)) {
    problems.push({
      key: 'namespace',
      message: `${JSON.stringify(namespace)} is not a valid Kubernetes namespace name (lowercase letters, digits and '-', at most 63)`,
    });
  }
  if (!CLUSTER_NAME_RE.test(clusterName)) {
    problems.push({
      key: 'AKOSettings.clusterName',
      message: `${JSON.stringify(clusterName)} must match ^[a-zA-Z0-9-_]+$ (and is required)`,
    });
  }

  const primaryRaw = r.get('AKOSettings.primaryInstance');
  let primary = true; // AKO: a missing flag means primary
  if (primaryRaw !== undefined && primaryRaw !== null && primaryRaw !== '') {
    const b = parseGoBool(primaryRaw);
    if (b === undefined) {
      problems.push({
        key: 'AKOSettings.primaryInstance',
        message: `${JSON.stringify(primaryRaw)} is not true or false (AKO would silently treat it as primary)`,
      });
    } else primary = b;
  }

  const labelKey = r.str('AKOSettings.namespaceSelector.labelKey');
  const labelValue = r.str('AKOSettings.namespaceSelector.labelValue');
  // AKO enables namespace sync only when both are non-blank; it then compares the untrimmed strings.
  const namespaceSelector = labelKey.trim() !== '' && labelValue.trim() !== '' ? { labelKey, labelValue } : null;
  if ((labelKey.trim() === '') !== (labelValue.trim() === '')) {
    problems.push({
      key: 'AKOSettings.namespaceSelector',
      message: `labelKey and labelValue must both be set or both be empty (got labelKey=${JSON.stringify(labelKey)}, labelValue=${JSON.stringify(labelValue)}); AKO would silently select every namespace`,
    });
  }

  const nodeKey = r.str('nodePortSelector.key');
  const nodeValue = r.str('nodePortSelector.value');
  const password = r.str('avicredentials.password', true);
  const authtoken = r.str('avicredentials.authtoken', true);
  const username = r.str('avicredentials.username');
  const ca = r.str('avicredentials.certificateAuthorityData');

  const config: InstanceConfig = {
    id,
    clusterName,
    namespace,
    primary,
    namespaceSelector,
    blockedNamespaces: r.stringList('AKOSettings.blockedNamespaceList'),
    cniPlugin: r.oneOf('AKOSettings.cniPlugin', CNI_PLUGINS, ''),
    enableEvents: r.bool('AKOSettings.enableEvents', true),
    ...(r.str('AKOSettings.logLevel') === ''
      ? {}
      : { logLevel: r.oneOf('AKOSettings.logLevel', AKO_LOG_LEVELS, 'INFO') }),
    ipFamily: r.str('AKOSettings.ipFamily') === '' ? 'V4' : r.oneOf('AKOSettings.ipFamily', IP_FAMILIES, 'V4'),
    layer7Only: r.bool('AKOSettings.layer7Only', false),
    disableStaticRouteSync: r.bool('AKOSettings.disableStaticRouteSync', false),
    deleteConfig: r.bool('AKOSettings.deleteConfig', false),
    fullSyncFrequency: r.seconds('AKOSettings.fullSyncFrequency', 1800),
    l7: {
      serviceType: r.oneOf('L7Settings.serviceType', SERVICE_TYPES, 'ClusterIP'),
      shardVSSize: r.oneOf('L7Settings.shardVSSize', SHARD_SIZES, 'LARGE'),
      passthroughShardSize: r.oneOf('L7Settings.passthroughShardSize', PASSTHROUGH_SHARD_SIZES, 'SMALL'),
      defaultIngController: r.bool('L7Settings.defaultIngController', true),
      enableEVH: r.bool('AKOSettings.enableEVH', false),
    },
    l4: {
      defaultLBController: r.bool('L4Settings.defaultLBController', true),
      autoFQDN: r.oneOf('L4Settings.autoFQDN', AUTO_FQDN, 'default'),
      defaultDomain: r.str('L4Settings.defaultDomain'),
    },
    controller: {
      host: r.str('ControllerSettings.controllerHost'),
      version: r.str('ControllerSettings.controllerVersion'),
      cloudName: r.str('ControllerSettings.cloudName'),
      serviceEngineGroupName: r.str('ControllerSettings.serviceEngineGroupName'),
      tenantName: r.str('ControllerSettings.tenantName') || 'admin',
      vrfName: r.str('ControllerSettings.vrfName'),
    },
    network: {
      vipNetworkList: r.vipNetworks('NetworkSettings.vipNetworkList'),
      nodeNetworkList: r.nodeNetworks('NetworkSettings.nodeNetworkList'),
      defaultDomain: r.str('NetworkSettings.defaultDomain'),
    },
    nodePortSelector: nodeKey.trim() !== '' ? { key: nodeKey, value: nodeValue } : null,
    credentials: {
      ...(username ? { username } : {}),
      ...(password ? { password: new SecretValue(password) } : {}),
      ...(authtoken ? { authtoken: new SecretValue(authtoken) } : {}),
      ...(ca ? { certificateAuthorityData: ca } : {}),
    },
    createdBy: primary ? `ako-${clusterName}` : `ako-${clusterName}-${namespace}`,
    namePrefix: `${clusterName}--`,
    sharedVsPrefix: primary ? `${clusterName}--Shared-L7-` : `${clusterName}--${namespace}-Shared-L7-`,
    unknownKeys: chart.ignored.sort(),
  };
  const who = label ?? id;
  return { config, problems: problems.map((p) => ({ instance: who, ...p })) };
}

/** Typed reads of the merged values; every type error becomes a problem naming the key. */
class Reader {
  constructor(
    private readonly values: Values,
    private readonly problems: RegistryProblem[],
  ) {}

  get(path: string): unknown {
    let node: unknown = this.values;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      if (!isPlainObject(node)) {
        this.problem(parts.slice(0, i).join('.'), `expected a map, got ${describe(node)}`);
        return undefined;
      }
      node = node[parts[i]!];
    }
    return node;
  }

  str(path: string, secret = false): string {
    const v = this.get(path);
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.problem(path, `expected a string, got ${secret ? 'a non-string value' : describe(v)}`);
    return '';
  }

  bool(path: string, dflt: boolean): boolean {
    const v = this.get(path);
    if (v === undefined || v === null || v === '') return dflt;
    const b = parseGoBool(v);
    if (b === undefined) {
      this.problem(path, `expected true or false, got ${describe(v)}`);
      return dflt;
    }
    return b;
  }

  seconds(path: string, dflt: number): number {
    const v = this.get(path);
    if (v === undefined || v === null || v === '') return dflt;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      this.problem(path, `expected a whole number of seconds (0 disables), got ${describe(v)}`);
      return dflt;
    }
    return n;
  }

  oneOf<T extends string>(path: string, allowed: readonly T[], dflt: T): T {
    const v = this.get(path);
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.problem(path, `${describe(v)} is not one of ${allowed.map((a) => (a === '' ? '"" (none)' : a)).join(', ')}`);
    return dflt;
  }

  stringList(path: string): string[] {
    let v = this.get(path);
    if (v === undefined || v === null || v === '') return [];
    if (typeof v === 'string') {
      // The configmap carries it as JSON; accept that form too.
      try {
        v = JSON.parse(v);
      } catch {
        v = [v];
      }
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.problem(path, `expected a list of namespace names, got ${describe(v)}`);
      return [];
    }
    return v as string[];
  }

  vipNetworks(path: string): VipNetwork[] {
    return this.list(path, (item, at) => {
      const networkName = item.networkName;
      if (typeof networkName !== 'string' || networkName === '') {
        this.problem(`${at}.networkName`, 'is required');
        return undefined;
      }
      const out: VipNetwork = { networkName };
      if (typeof item.cidr === 'string' && item.cidr) out.cidr = item.cidr;
      if (typeof item.v6cidr === 'string' && item.v6cidr) out.v6cidr = item.v6cidr;
      return out;
    });
  }

  nodeNetworks(path: string): NodeNetwork[] {
    return this.list(path, (item, at) => {
      const networkName = item.networkName;
      if (typeof networkName !== 'string' || networkName === '') {
        this.problem(`${at}.networkName`, 'is required');
        return undefined;
      }
      const cidrs = item.cidrs ?? [];
      if (!Array.isArray(cidrs) || cidrs.some((c) => typeof c !== 'string')) {
        this.problem(`${at}.cidrs`, `expected a list of CIDRs, got ${describe(cidrs)}`);
        return undefined;
      }
      return { networkName, cidrs: cidrs as string[] };
    });
  }

  private list<T>(path: string, read: (item: Values, at: string) => T | undefined): T[] {
    const v = this.get(path);
    if (v === undefined || v === null || v === '') return [];
    if (!Array.isArray(v)) {
      this.problem(path, `expected a list, got ${describe(v)}`);
      return [];
    }
    const out: T[] = [];
    v.forEach((item, i) => {
      const at = `${path}[${i}]`;
      if (!isPlainObject(item)) {
        this.problem(at, `expected a map, got ${describe(item)}`);
        return;
      }
      const r = read(item, at);
      if (r !== undefined) out.push(r);
    });
    return out;
  }

  private problem(key: string, message: string): void {
    this.problems.push({ key, message });
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'a map';
  return JSON.stringify(v) ?? String(v);
}
