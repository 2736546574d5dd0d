// The README's AKO feature matrix, rendered from the key table (a test keeps the README equal to this).
import { AKO_ANNOTATIONS, CHART_KEYS, type KeyStatus } from './chart-keys.ts';

export const STATUS_WORDS: Record<KeyStatus, string> = {
  supported: 'supported',
  different: 'different on purpose',
  'not-implemented': 'not supported: refused unless left at the default',
  ignored: 'no effect on Avi objects: accepted with a note',
};

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The Helm values table: one row per chart key. */
export function chartKeyRows(): string[] {
  return [
    '| AKO Helm value | ako-serverless | notes |',
    '| --- | --- | --- |',
    ...CHART_KEYS.map((c) => `| \`${c.key}${c.subtree ? '.*' : ''}\` | ${STATUS_WORDS[c.status]} | ${cell(c.note)} |`),
  ];
}

/** The annotations table: one row per annotation AKO reads. */
export function annotationRows(): string[] {
  return [
    '| annotation | on | ako-serverless | notes |',
    '| --- | --- | --- | --- |',
    ...AKO_ANNOTATIONS.map((a) => `| \`${a.annotation}\` | ${a.on} | ${STATUS_WORDS[a.status]} | ${cell(a.note)} |`),
  ];
}
