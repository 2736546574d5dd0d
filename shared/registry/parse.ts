// The registry file: a list of AKO installs (namespace, values file, --set overrides), validated as a whole.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type RegistryProblem, RegistryValidationError } from './errors.ts';
import { isPlainObject } from './helm.ts';
import { type RegistryEntry, resolveInstanceChecked } from './resolve.ts';
import { suggestKey } from './suggest.ts';
import type { InstanceConfig, Registry } from './types.ts';

/** The keys of one `instances[]` entry: helm's -n, -f, --set and --set-string. */
const ENTRY_KEYS = ['namespace', 'values', 'set', 'setString'];

export interface ParseRegistryOptions {
  /** Directory that relative `values:` paths are resolved against (the registry file's directory). */
  baseDir: string;
  /** Reads a values file (defaults to fs.readFileSync as UTF-8). */
  readFile?: (path: string) => string;
  /** Recorded as Registry.source. */
  source?: string;
}

export function loadRegistryFile(path: string): Registry {
  const abs = resolvePath(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new RegistryValidationError([
      { key: '(file)', message: `cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` },
    ]);
  }
  return parseRegistry(text, { baseDir: dirname(abs), source: abs });
}

export function parseRegistry(text: string, opts: ParseRegistryOptions): Registry {
  const readFile = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const problems: RegistryProblem[] = [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new RegistryValidationError(
      [{ key: '(file)', message: `not valid YAML: ${err instanceof Error ? err.message : String(err)}` }],
      opts.source,
    );
  }
  const list = isPlainObject(doc) ? doc.instances : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw new RegistryValidationError(
      [{ key: 'instances', message: 'the registry needs a non-empty `instances:` list' }],
      opts.source,
    );
  }

  const instances: InstanceConfig[] = [];
  list.forEach((raw, i) => {
    const at = `instances[${i}]`;
    if (!isPlainObject(raw)) {
      problems.push({ instance: at, key: at, message: 'expected a map with namespace, values and set' });
      return;
    }
    const entry: RegistryEntry = {};
    const entryProblems: RegistryProblem[] = [];
    for (const key of Object.keys(raw)) {
      if (ENTRY_KEYS.includes(key)) continue;
      const hint = suggestKey(key, ENTRY_KEYS);
      entryProblems.push({
        key,
        message: `is not a registry entry key (${ENTRY_KEYS.join(', ')})${hint ? `; did you mean ${hint}?` : ''}`,
      });
    }
    if (raw.namespace !== undefined) {
      if (typeof raw.namespace === 'string') entry.namespace = raw.namespace;
      else entryProblems.push({ key: 'namespace', message: `expected a string, got ${JSON.stringify(raw.namespace)}` });
    }
    if (typeof raw.values === 'string') {
      const file = isAbsolute(raw.values) ? raw.values : resolvePath(opts.baseDir, raw.values);
      try {
        const values = parseYaml(readFile(file)) ?? {};
        if (isPlainObject(values)) entry.values = values;
        else entryProblems.push({ key: 'values', message: `${file} does not hold a map of Helm values` });
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
        entryProblems.push({ key: 'values', message: `cannot read values file ${file}: ${reason}` });
      }
    } else if (isPlainObject(raw.values)) {
      entry.values = raw.values; // inline values
    } else if (raw.values !== undefined && raw.values !== null) {
      entryProblems.push({ key: 'values', message: 'expected a values file path (or an inline map)' });
    }
    for (const field of ['set', 'setString'] as const) {
      const v = raw[field];
      if (isPlainObject(v)) entry[field] = v;
      else if (v !== undefined && v !== null) {
        entryProblems.push({ key: field, message: 'expected a map of dotted Helm keys to values' });
      }
    }
    const { config, problems: own } = resolveInstanceChecked(entry);
    for (const p of entryProblems) problems.push({ instance: `${config.id} (${at})`, ...p });
    for (const p of own) problems.push({ ...p, instance: `${config.id} (${at})` });
    instances.push(config);
  });

  problems.push(...crossInstanceProblems(instances));
  if (problems.length > 0) throw new RegistryValidationError(dedupe(problems), opts.source);
  return { ...(opts.source ? { source: opts.source } : {}), instances };
}

/** Rules that involve more than one instance: per cluster, and across clusters sharing a controller. */
export function crossInstanceProblems(instances: InstanceConfig[]): RegistryProblem[] {
  const problems: RegistryProblem[] = [];
  const ids = (list: InstanceConfig[]) => list.map((i) => i.id).join(', ');

  for (const [cluster, members] of groupBy(instances, (i) => i.clusterName)) {
    const primaries = members.filter((i) => i.primary);
    if (primaries.length === 0) {
      problems.push({
        instance: ids(members),
        key: 'AKOSettings.primaryInstance',
        message: `cluster ${cluster} has no primary instance; exactly one must have primaryInstance true (a missing flag means primary)`,
      });
    } else if (primaries.length > 1) {
      problems.push({
        instance: ids(primaries),
        key: 'AKOSettings.primaryInstance',
        message: `cluster ${cluster} has ${primaries.length} primary instances; set AKOSettings.primaryInstance=false on all but one (a missing flag means primary); if they belong to different Kubernetes clusters, give each cluster its own clusterName`,
      });
    }
    for (const [ns, same] of groupBy(members, (i) => i.namespace)) {
      if (same.length > 1) {
        problems.push({
          instance: ids(same),
          key: 'namespace',
          message: `${same.length} instances of cluster ${cluster} are installed in namespace ${ns}; each instance needs its own namespace`,
        });
      }
    }
    const mustAgree: [string, (i: InstanceConfig) => string][] = [
      ['ControllerSettings.controllerHost', (i) => i.controller.host],
      ['L7Settings.serviceType', (i) => i.l7.serviceType],
      ['ControllerSettings.cloudName', (i) => i.controller.cloudName],
    ];
    for (const [key, get] of mustAgree) {
      const distinct = groupBy(members, get);
      if (distinct.size > 1) {
        const detail = [...distinct].map(([v, list]) => `${JSON.stringify(v)} (${ids(list)})`).join(' vs ');
        problems.push({
          instance: ids(members),
          key,
          message: `all instances of cluster ${cluster} must use the same value: ${detail}`,
        });
      }
    }
    const withSelector = members.filter((i) => i.namespaceSelector);
    for (const [, same] of groupBy(
      withSelector,
      (i) => `${i.namespaceSelector!.labelKey}\u0000${i.namespaceSelector!.labelValue}`,
    )) {
      if (same.length > 1) {
        const s = same[0]!.namespaceSelector!;
        problems.push({
          instance: ids(same),
          key: 'AKOSettings.namespaceSelector',
          message: `instances of cluster ${cluster} share the selector ${s.labelKey}=${s.labelValue}; each namespace must be handled by one instance`,
        });
      }
    }
    const catchAll = members.filter((i) => !i.namespaceSelector);
    if (catchAll.length > 0 && members.length > 1) {
      problems.push({
        instance: ids(catchAll),
        key: 'AKOSettings.namespaceSelector',
        message: `an empty selector claims every namespace, which is only allowed when cluster ${cluster} has a single instance (it has ${members.length}); set labelKey and labelValue`,
      });
    }
  }

  // Instances on one controller are told apart only by created_by and the names derived from the cluster name.
  for (const [host, members] of groupBy(instances, (i) => i.controller.host)) {
    const where = host ? `controller ${host}` : 'the embedded controller';
    for (const [createdBy, same] of groupBy(members, (i) => i.createdBy)) {
      const clusters = new Set(same.map((i) => i.clusterName));
      if (same.length > 1 && clusters.size > 1) {
        problems.push({
          instance: ids(same),
          key: 'AKOSettings.clusterName',
          message: `instances of different clusters on ${where} would share created_by ${createdBy}; choose distinct cluster names`,
        });
      }
    }
    for (const [, names] of groupBy([...new Set(members.map((i) => i.clusterName))], (n) => n.toLowerCase())) {
      if (names.length > 1) {
        problems.push({
          instance: ids(members.filter((i) => names.includes(i.clusterName))),
          key: 'AKOSettings.clusterName',
          message: `cluster names ${names.join(' and ')} on ${where} differ only in case; choose distinct cluster names`,
        });
      }
    }
  }
  return problems;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function dedupe(problems: RegistryProblem[]): RegistryProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.instance}\u0000${p.key}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
