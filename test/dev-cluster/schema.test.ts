import { describe, expect, it } from 'vitest';
import { applyCrdSchema, unknownFields } from '../../infra/dev-cluster/schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: schemas
type Json = any;
const obj = (spec: Json, extra: Json = {}) => ({
  apiVersion: 'x.example.com/v1',
  kind: 'X',
  metadata: { name: 'x' },
  spec,
  ...extra,
});

const schema: Json = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['port'],
      properties: {
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        ratio: { type: 'number', exclusiveMinimum: true, minimum: 0 },
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        mode: { type: 'string', enum: ['A', 'B'], default: 'A' },
        target: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        list: {
          type: 'array',
          minItems: 1,
          maxItems: 2,
          items: { type: 'object', properties: { a: { type: 'boolean', default: false } } },
        },
        pick: {
          type: 'object',
          anyOf: [{ required: ['x'] }, { required: ['y'] }],
          properties: { x: { type: 'string' }, y: { type: 'string' } },
        },
        never: { type: 'string', not: { enum: ['forbidden'] } },
      },
    },
  },
};
const fields = (o: Json) => applyCrdSchema(schema, o).map((c) => c.field);

describe('CRD structural schemas', () => {
  it('prunes unknown fields at every depth but keeps preserve-unknown-fields and additionalProperties maps', () => {
    const o = obj(
      { port: 80, bogus: 1, labels: { team: 'a' }, free: { anything: { deep: true } }, list: [{ a: true, b: 2 }] },
      { status: { x: 1 }, extraTop: true },
    );
    expect(applyCrdSchema(schema, o)).toEqual([]);
    expect(o).toEqual(
      obj({ port: 80, mode: 'A', labels: { team: 'a' }, free: { anything: { deep: true } }, list: [{ a: true }] }),
    );
  });

  it('fills defaults inside array items and leaves given values alone', () => {
    const o = obj({ port: 1, mode: 'B', list: [{}] });
    applyCrdSchema(schema, o);
    expect(o.spec).toEqual({ port: 1, mode: 'B', list: [{ a: false }] });
  });

  it('checks types, ranges, lengths, patterns, enums, item counts and required fields', () => {
    expect(fields(obj({ port: 0 }))).toEqual(['spec.port']);
    expect(fields(obj({ port: 1.5 }))).toEqual(['spec.port']);
    expect(fields(obj({ port: '80' }))).toEqual(['spec.port']);
    expect(fields(obj({ port: 1, ratio: 0 }))).toEqual(['spec.ratio']);
    expect(fields(obj({ port: 1, name: 'a' }))).toEqual(['spec.name']);
    expect(fields(obj({ port: 1, name: 'abcdef' }))).toEqual(['spec.name']);
    expect(fields(obj({ port: 1, name: 'AB' }))).toEqual(['spec.name']);
    expect(fields(obj({ port: 1, mode: 'C' }))).toEqual(['spec.mode']);
    expect(fields(obj({ port: 1, list: [] }))).toEqual(['spec.list']);
    expect(fields(obj({ port: 1, list: [{}, {}, {}] }))).toEqual(['spec.list']);
    expect(fields(obj({ port: 1, list: [{ a: 'yes' }] }))).toEqual(['spec.list[0].a']);
    expect(fields(obj({ port: 1, labels: { a: 1 } }))).toEqual(['spec.labels.a']);
    expect(fields(obj({}))).toEqual(['spec.port']);
  });

  it('accepts int-or-string and nullable values, and applies anyOf and not', () => {
    expect(fields(obj({ port: 1, target: 8080, note: null }))).toEqual([]);
    expect(fields(obj({ port: 1, target: 'http' }))).toEqual([]);
    expect(fields(obj({ port: 1, target: true }))).toEqual(['spec.target']);
    expect(fields(obj({ port: 1, name: null }))).toEqual(['spec.name']);
    expect(fields(obj({ port: 1, pick: { y: 'b' } }))).toEqual([]);
    expect(fields(obj({ port: 1, pick: {} }))).toEqual(['spec.pick']);
    expect(fields(obj({ port: 1, never: 'forbidden' }))).toEqual(['spec.never']);
  });

  it('names the fields strict field validation refuses, without changing the object', () => {
    const o = obj({ port: 1, bogus: 1, list: [{ a: true, b: 1 }], free: { kept: 1 } }, { extraTop: 1 });
    expect(unknownFields(schema, o)).toEqual(['spec.bogus', 'spec.list[0].b', 'extraTop']);
    expect(o.spec.bogus).toBe(1);
  });
});
