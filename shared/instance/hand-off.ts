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
 *
 * A move whose messages were lost (a process killed mid-move, labels changed while nothing ran) is finished by the
 * relist: each Namespace the forwarder lists gives every non-owner a relist release. An instance that still serves
 * the namespace releases it; one that already released it confirms again; either confirmation makes the owner adopt.
 * Relist releases are ordered by the forwarder's stream position: one older than the hold or adopt that gave this
 * instance the namespace is stale.
 */
import type { NamespaceState } from '../store/types.ts';

export type HandoffCommand = 'hold' | 'release' | 'adopt';

/** Finished hand-off ids kept per namespace (a hand-off's messages are late by seconds, not by 16 moves). */
export const FINISHED_HANDOFFS_KEPT = 16;

const HOLD_PREFIX = 'hold for hand-off ';
const FINISHED_PREFIX = 'finished hand-offs: ';
const SINCE_PREFIX = 'held or adopted at ';

export interface HandoffMemory {
  /** The hand-off a hold is waiting for (only a held namespace has one). */
  heldFor?: string;
  /** Hand-offs finished here, newest first. */
  finished: string[];
  /** Stream position of the hold or adopt that last gave this instance the namespace. */
  since?: string;
}

/** Read what the namespace state's reason remembers (reasons written before hand-off ids were kept read as empty). */
export function readHandoffMemory(reason: string | undefined): HandoffMemory {
  const memory: HandoffMemory = { finished: [] };
  for (const part of (reason ?? '').split('; ')) {
    if (part.startsWith(HOLD_PREFIX)) memory.heldFor = part.slice(HOLD_PREFIX.length);
    else if (part.startsWith(FINISHED_PREFIX)) memory.finished = part.slice(FINISHED_PREFIX.length).split(' ');
    else if (part.startsWith(SINCE_PREFIX)) memory.since = part.slice(SINCE_PREFIX.length);
  }
  return memory;
}

export type HandoffVerdict =
  | { apply: true }
  | { apply: false; why: string /** A finished release whose confirmation is repeated. */; reconfirm?: boolean };

export interface HandoffInput {
  type: HandoffCommand;
  handoffId?: string;
  sequence?: string;
  relist?: boolean;
}

/**
 * Whether a hold/release/adopt still applies, given the namespace's state, what it remembers, and whether this
 * instance still serves anything of the namespace (stored objects or applied models).
 */
export function handoffVerdict(
  cmd: HandoffInput,
  state: NamespaceState | undefined,
  memory: HandoffMemory,
  serving = true,
): HandoffVerdict {
  if (cmd.type === 'release' && cmd.relist) return relistVerdict(cmd, state, memory, serving);
  const id = cmd.handoffId;
  if (!id) return { apply: true };
  const finished = memory.finished.includes(id);
  switch (cmd.type) {
    case 'hold':
      return finished ? { apply: false, why: `hand-off ${id} was already adopted here` } : { apply: true };
    case 'adopt':
      if (finished) return { apply: false, why: `hand-off ${id} already finished here` };
      // A late adopt of an older hand-off (the namespace moved again meanwhile) must not take the namespace. An adopt
      // after a relist release is the owner's own truth and applies whatever it was held for.
      if (!cmd.relist && state === 'held' && memory.heldFor && memory.heldFor !== id)
        return { apply: false, why: `namespace is held for hand-off ${memory.heldFor}, not ${id}` };
      return { apply: true };
    case 'release':
      if (!finished) return { apply: true };
      if (state === 'released') return { apply: false, why: `hand-off ${id} already released`, reconfirm: true };
      return { apply: false, why: `hand-off ${id} already released; the namespace was adopted again since` };
  }
}

function relistVerdict(
  cmd: HandoffInput,
  state: NamespaceState | undefined,
  memory: HandoffMemory,
  serving: boolean,
): HandoffVerdict {
  if (cmd.sequence && memory.since && cmd.sequence <= memory.since)
    return { apply: false, why: `relist at ${cmd.sequence} is older than the hand-off at ${memory.since}` };
  if (state === 'released') return { apply: false, why: 'already released', reconfirm: true };
  // Held: this instance serves nothing of it and waits for its own hand-off.
  if (state === 'held') return { apply: false, why: 'held for a hand-off, serving nothing' };
  if (!serving) return { apply: false, why: 'nothing of the namespace is served here' };
  return { apply: true };
}

/** The reason stored with the namespace's new state after a command was applied. */
export function handoffReason(cmd: HandoffInput, memory: HandoffMemory): string {
  const parts: string[] = [];
  let finished = memory.finished;
  if (cmd.type === 'hold') parts.push(cmd.handoffId ? `${HOLD_PREFIX}${cmd.handoffId}` : 'hold message');
  else {
    parts.push(`${cmd.type} message`);
    if (cmd.handoffId)
      finished = [cmd.handoffId, ...finished.filter((f) => f !== cmd.handoffId)].slice(0, FINISHED_HANDOFFS_KEPT);
  }
  const since = cmd.type !== 'release' && cmd.sequence ? cmd.sequence : memory.since;
  if (since) parts.push(`${SINCE_PREFIX}${since}`);
  if (finished.length > 0) parts.push(`${FINISHED_PREFIX}${finished.join(' ')}`);
  return parts.join('; ');
}
