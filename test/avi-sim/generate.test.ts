import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldOf, generate } from '../../infra/avi-sim/schema/generate.ts';

// Descriptions written the way the controller's OpenAPI files word them.
describe('swagger table generator', () => {
  it('reads refs, enums, ranges, special values, readOnly, defaults and the earliest release from a property', () => {
    expect(
      fieldOf(
        {
          type: 'string',
          description:
            'WAF profile for WAF policy. It is a reference to an object of type WafProfile. Field introduced in 18.2.1, 17.2.12. Allowed in Enterprise edition.',
        },
        true,
      ),
    ).toEqual({ t: 's', ref: 'wafprofile', v: '17.2.12' });
    expect(
      fieldOf(
        {
          type: 'integer',
          default: 10,
          description: 'Interval. Allowed values are 1-3600. Special values are 0 - Use server port. Unit is SEC.',
        },
        true,
      ),
    ).toEqual({ t: 'i', min: 1, max: 3600, sp: [0], dflt: 10 });
    // Defaults are kept for top-level fields only; a spaced range is not a range; special values need a range.
    expect(
      fieldOf(
        { type: 'integer', default: 3, description: 'Allowed values are 0 - 100. Special values are 0- disable.' },
        false,
      ),
    ).toEqual({
      t: 'i',
    });
    expect(
      fieldOf(
        {
          type: 'string',
          description: 'Mode. Enum options - WAF_MODE_DETECTION_ONLY, WAF_MODE_ENFORCEMENT. Allowed in ...',
        },
        false,
      ),
    ).toEqual({ t: 's', en: ['WAF_MODE_DETECTION_ONLY', 'WAF_MODE_ENFORCEMENT'] });
    expect(fieldOf({ type: 'array', items: { $ref: '#/definitions/KeyValue' } }, false)).toEqual({
      t: 'a',
      def: 'KeyValue',
      items: 'o',
    });
    expect(
      fieldOf(
        {
          type: 'array',
          items: { type: 'string' },
          description: 'It is a reference to an object of type HealthMonitor.',
        },
        false,
      ),
    ).toEqual({ t: 'a', items: 's', ref: 'healthmonitor' });
    expect(fieldOf({ readOnly: true, type: 'string' }, false)).toEqual({ t: 's', ro: 1 });
  });

  it('writes the served models and every definition they reach, required fields included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'swagger-'));
    writeFileSync(
      join(dir, 'StringGroup.json'),
      JSON.stringify({
        definitions: {
          StringGroup: {
            required: ['name', 'type'],
            properties: {
              name: { type: 'string' },
              type: {
                type: 'string',
                default: 'SG_TYPE_STRING',
                description: 'Enum options - SG_TYPE_STRING, SG_TYPE_KEYVAL.',
              },
              kv: { type: 'array', items: { $ref: '#/definitions/KeyValue' } },
            },
          },
          KeyValue: { required: ['key'], properties: { key: { type: 'string' }, value: { type: 'string' } } },
          Unreached: { properties: { x: { type: 'string' } } },
        },
      }),
    );
    const text = generate(dir, [['stringgroup', 'StringGroup']]);
    const defs = JSON.parse(
      text.split('export const DEFINITIONS: Record<string, DefinitionSpec> = ')[1]!.split(';\n')[0]!,
    );
    expect(Object.keys(defs)).toEqual(['KeyValue', 'StringGroup']);
    expect(defs.StringGroup.req).toEqual(['name', 'type']);
    expect(defs.StringGroup.p.type).toEqual({
      dflt: 'SG_TYPE_STRING',
      en: ['SG_TYPE_STRING', 'SG_TYPE_KEYVAL'],
      t: 's',
    });
    expect(defs.KeyValue).toEqual({ p: { key: { t: 's' }, value: { t: 's' } }, req: ['key'] });
    expect(text).toContain('export const MODEL_NAMES: Record<string, string> = {"stringgroup":"StringGroup"};');
  });
});
