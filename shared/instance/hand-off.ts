/**
 * Namespace hand-off under unordered delivery (pure decisions). EventBridge does not order the hold, the release,
 * the adopt and the republished objects of one move, and it may deliver any of them twice, late. An instance
 * therefore remembers, with the namespace's state, which hand-offs it has finished here (adopted or released), and
 * a late or repeated command of a finished hand-off changes nothing:
 * - a hold of a hand-off already adopted would take back a namespace this instance now serves;
 * - an adopt of a hand-off already finished (the namespace moved on since) would serve it twice;
 * - a release of a finished hand-off would drop a namespace adopted again since; if the namespace is still
 *   released, only the confirmation is repeated (the first one may have been lost).
 * Objects that arrive before the hold are harmless: they are stored and built, the hold removes what they built,
 * and the adopt rebuilds the namespace from the stored objects once the old owner has released its names.
 */
import type { NamespaceState } from '../store/types.ts';

export type HandoffCommand = 'hold' | 'release' | 'adopt';

/** Finished hand-off ids kept per namespace (a hand-off's messages are late by seconds, not by 16 moves). */
export const FINISHED_HANDOFFS_KEPT = 16;

const HOLD_PREFIX = 'hold for hand-off ';
const FINISHED_PREFIX = 'finished hand-offs: ';

export interface HandoffMemory {
  /** The hand-off a hold is waiting for (only a held namespace has one). */
  heldFor?: string;
  /** Hand-offs finished here, newest first. */
  finished: string[];
}

/** Read what the namespace state's reason remembers (reasons written before hand-off ids were kept read as empty). */
export function readHandoffMemory(reason: string | undefined): HandoffMemory {
  const memory: HandoffMemory = { finished: [] };
  for (const part of (reason ?? '').split('; ')) {
    if (part.startsWith(HOLD_PREFIX)) memory.heldFor = part.slice(HOLD_PREFIX.length);
    else if (part.startsWith(FINISHED_PREFIX)) memory.finished = part.slice(FINISHED_PREFIX.length).split(' ');
  }
  return memory;
}

export type HandoffVerdict =
  | { apply: true }
  | { apply: false; why: string /** A finished release whose confirmation is repeated. */; reconfirm?: boolean };

/** Whether a hold/release/adopt still applies, given the namespace's state and what it remembers. */
export function handoffVerdict(
  cmd: { type: HandoffCommand; handoffId?: string },
  state: NamespaceState | undefined,
  memory: HandoffMemory,
): HandoffVerdict {
  const id = cmd.handoffId;
  if (!id) return { apply: true };
  const finished = memory.finished.includes(id);
  switch (cmd.type) {
    case 'hold':
      return finished ? { apply: false, why: `hand-off ${id} was already adopted here` } : { apply: true };
    case 'adopt':
      if (finished) return { apply: false, why: `hand-off ${id} already finished here` };
      // A late adopt of an older hand-off (the namespace moved again meanwhile) must not take the namespace.
      if (state === 'held' && memory.heldFor && memory.heldFor !== id)
        return { apply: false, why: `namespace is held for hand-off ${memory.heldFor}, not ${id}` };
      return { apply: true };
    case 'release':
      if (!finished) return { apply: true };
      if (state === 'released') return { apply: false, why: `hand-off ${id} already released`, reconfirm: true };
      return { apply: false, why: `hand-off ${id} already released; the namespace was adopted again since` };
  }
}

/** The reason stored with the namespace's new state after a command was applied. */
export function handoffReason(cmd: { type: HandoffCommand; handoffId?: string }, memory: HandoffMemory): string {
  const parts: string[] = [];
  let finished = memory.finished;
  if (cmd.type === 'hold') parts.push(cmd.handoffId ? `${HOLD_PREFIX}${cmd.handoffId}` : 'hold message');
  else {
    parts.push(`${cmd.type} message`);
    if (cmd.handoffId)
      finished = [cmd.handoffId, ...finished.filter((f) => f !== cmd.handoffId)].slice(0, FINISHED_HANDOFFS_KEPT);
  }
  if (finished.length > 0) parts.push(`${FINISHED_PREFIX}${finished.join(' ')}`);
  return parts.join('; ');
}
