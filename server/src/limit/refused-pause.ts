import type { RefusalPolicy } from './fair-refusal.ts';

/** What a connection must offer to be paused: a net.Socket does. */
interface Pausable {
  pause(): unknown;
  resume(): unknown;
  readonly writableNeedDrain?: boolean;
}

/** --refused-pause: `next-turn` (chapter 20) or `none` (chapters 8–19). */
export type RefusedPause = 'next-turn' | 'none';

/**
 * A refusal that also leaves the refused connection unread for the next loop turn (chapter 20).
 * A 503 costs the server a read, a parse and a write — on loopback the write also pays for the
 * client's receive — about half of what a cached answer costs; under a greedy client on
 * hundreds of connections the refusals filled most of a turn (turns of about 20 ms with a 5 ms
 * budget), and every other client waits out the turns: a polite search on a new connection
 * needs three (accept, read, answer). A connection left unread keeps its next request in the
 * kernel, where it costs nothing, for one turn: the refusals of a turn are about halved and
 * the greedy client slows to what it is served, as TCP slows a sender nobody reads. One turn,
 * not a time: a longer pause (50 ms, tried) starved the server of work and its goodput fell
 * by two thirds.
 *
 * The pause ends after the next turn's poll: a setImmediate queued from a check phase runs in
 * the next turn's. A connection paused for its writes (the layer waits for 'drain') is left to
 * the drain. Nothing runs while no search is refused.
 */
export function pausingRefused(policy: RefusalPolicy, pause: RefusedPause): RefusalPolicy {
  if (pause === 'none') return policy;
  let paused: Pausable[] = [];
  let scheduled = false;
  const resumeAll = (): void => {
    scheduled = false;
    const resumed = paused;
    paused = [];
    for (const connection of resumed) if (connection.writableNeedDrain !== true) connection.resume();
  };
  const afterNextTurn = (): void => void setImmediate(resumeAll);
  return {
    admit(connection, position, limit, past) {
      if (policy.admit(connection, position, limit, past)) return true;
      const socket = connection as Partial<Pausable>;
      if (typeof socket.pause === 'function' && typeof socket.resume === 'function') {
        socket.pause();
        paused.push(socket as Pausable);
        if (!scheduled) {
          scheduled = true;
          setImmediate(afterNextTurn);
        }
      }
      return false;
    },
  };
}
