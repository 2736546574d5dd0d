/**
 * Decoding of the Kubernetes protobuf envelope for the few kinds kubectl's generator commands send as
 * protobuf (`kubectl create namespace|secret|configmap|service ...`). Everything else is JSON/YAML.
 */
import { ApiError } from './errors.ts';

type FieldType =
  | 'string'
  | 'bytes'
  | 'varint'
  | 'bool'
  | { msg: string }
  | { map: 'string' | 'bytes' }
  | { repeated: 'string' }
  | { repeatedMsg: string };

type Schema = Record<number, [name: string, type: FieldType]>;

const SCHEMAS: Record<string, Schema> = {
  Unknown: {
    1: ['typeMeta', { msg: 'TypeMeta' }],
    2: ['raw', 'bytes'],
    3: ['contentEncoding', 'string'],
    4: ['contentType', 'string'],
  },
  TypeMeta: { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] },
  ObjectMeta: {
    1: ['name', 'string'],
    2: ['generateName', 'string'],
    3: ['namespace', 'string'],
    5: ['uid', 'string'],
    6: ['resourceVersion', 'string'],
    7: ['generation', 'varint'],
    11: ['labels', { map: 'string' }],
    12: ['annotations', { map: 'string' }],
    14: ['finalizers', { repeated: 'string' }],
  },
  Namespace: { 1: ['metadata', { msg: 'ObjectMeta' }], 2: ['spec', { msg: 'NamespaceSpec' }] },
  NamespaceSpec: { 1: ['finalizers', { repeated: 'string' }] },
  Secret: {
    1: ['metadata', { msg: 'ObjectMeta' }],
    2: ['data', { map: 'bytes' }],
    3: ['type', 'string'],
    4: ['stringData', { map: 'string' }],
    5: ['immutable', 'bool'],
  },
  ConfigMap: {
    1: ['metadata', { msg: 'ObjectMeta' }],
    2: ['data', { map: 'string' }],
    3: ['binaryData', { map: 'bytes' }],
    4: ['immutable', 'bool'],
  },
  Service: { 1: ['metadata', { msg: 'ObjectMeta' }], 2: ['spec', { msg: 'ServiceSpec' }] },
  ServiceSpec: {
    1: ['ports', { repeatedMsg: 'ServicePort' }],
    2: ['selector', { map: 'string' }],
    3: ['clusterIP', 'string'],
    4: ['type', 'string'],
    5: ['externalIPs', { repeated: 'string' }],
    7: ['sessionAffinity', 'string'],
    8: ['loadBalancerIP', 'string'],
    10: ['externalName', 'string'],
    11: ['externalTrafficPolicy', 'string'],
  },
  ServicePort: {
    1: ['name', 'string'],
    2: ['protocol', 'string'],
    3: ['port', 'varint'],
    4: ['targetPort', { msg: 'IntOrString' }],
    5: ['nodePort', 'varint'],
    6: ['appProtocol', 'string'],
  },
  IntOrString: { 1: ['type', 'varint'], 2: ['intVal', 'varint'], 3: ['strVal', 'string'] },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  }
  bytes(): Buffer {
    const len = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function listOf(out: Record<string, unknown>, name: string): unknown[] {
  if (!Array.isArray(out[name])) out[name] = [];
  return out[name] as unknown[];
}

function decode(buf: Buffer, schemaName: string): Record<string, unknown> {
  const schema = SCHEMAS[schemaName]!;
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    const def = schema[field];
    if (!def) {
      r.skip(wire);
      continue;
    }
    const [name, type] = def;
    // Go's protobuf writes zero values; JSON omits them (omitempty), so drop them here too.
    if (type === 'string') {
      const v = r.bytes().toString('utf8');
      if (v !== '') out[name] = v;
    } else if (type === 'bytes') out[name] = Buffer.from(r.bytes());
    else if (type === 'varint') {
      const v = r.varint();
      if (v !== 0 || schemaName === 'IntOrString') out[name] = v;
    } else if (type === 'bool') {
      if (r.varint() !== 0) out[name] = true;
    } else if ('msg' in type) out[name] = decode(r.bytes(), type.msg);
    else if ('repeated' in type) listOf(out, name).push(r.bytes().toString('utf8'));
    else if ('repeatedMsg' in type) listOf(out, name).push(decode(r.bytes(), type.repeatedMsg));
    else {
      const entry = new Reader(r.bytes());
      let key = '';
      let value: Buffer = Buffer.alloc(0);
      while (!entry.done) {
        const t = entry.varint();
        if (t >> 3 === 1) key = entry.bytes().toString('utf8');
        else if (t >> 3 === 2) value = entry.bytes();
        else entry.skip(t & 7);
      }
      if (!out[name]) out[name] = {};
      const m = out[name] as Record<string, string>;
      m[key] = type.map === 'bytes' ? value.toString('base64') : value.toString('utf8');
    }
  }
  return out;
}

function intOrString(v: unknown): unknown {
  const x = v as { type?: number; intVal?: number; strVal?: string };
  return x.type === 1 ? (x.strVal ?? '') : (x.intVal ?? 0);
}

/** Decodes a `k8s\0`-prefixed protobuf body into the JSON shape of the object. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') {
    throw new ApiError(400, 'BadRequest', 'protobuf body without the k8s envelope');
  }
  const unknown = decode(body.subarray(4), 'Unknown') as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Buffer;
  };
  const kind = unknown.typeMeta?.kind ?? '';
  if (!SCHEMAS[kind] || !['Namespace', 'Secret', 'ConfigMap', 'Service'].includes(kind)) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the dev cluster decodes protobuf only for Namespace, Secret, ConfigMap and Service (got ${kind || 'unknown'}); send this object as JSON or YAML (kubectl create -f / apply -f)`,
    );
  }
  const obj = decode(unknown.raw ?? Buffer.alloc(0), kind);
  const spec = obj.spec as { ports?: Record<string, unknown>[] } | undefined;
  for (const p of spec?.ports ?? []) if (p.targetPort !== undefined) p.targetPort = intOrString(p.targetPort);
  return { apiVersion: unknown.typeMeta?.apiVersion, kind, ...obj };
}
