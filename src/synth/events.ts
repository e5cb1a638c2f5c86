import type { Party } from './pools.js';
import { CHANNELS, type Channel } from './types.js';

/** a channel's index in CHANNELS: events keep channels as small integers */
export const CHANNEL_INDEX = Object.fromEntries(CHANNELS.map((c, i) => [c, i])) as Readonly<Record<Channel, number>>;
export const NOT_FRAUD = -1;

/** 2^24 slots: the sort key is (second in the window) * 2^24 + slot, exact below 2^53 for 3650 days */
const SLOTS = 16_777_216;
/** the most events in one bucket that sortKeys sorts by insertion (each passes at most this many) */
const MAX_BUCKET = 32;
/** up to this many events are sorted by insertion alone */
const SMALL = 12;

/**
 * One account's events in struct-of-arrays form, reused from account to account so the hot path
 * allocates nothing but the row objects it yields. Events are added in any order and sorted once
 * by time, the slot breaking ties so the order is total and deterministic.
 */
export class EventBuffer {
  count = 0;
  keys = new Float64Array(0);
  types = new Uint8Array(0);
  channels = new Uint8Array(0);
  amounts = new Float64Array(0);
  fraud = new Int8Array(0);
  /** 1 = the ledger may not resize this amount (recurring payments, fraud) */
  locked = new Uint8Array(0);
  parties: (Party | null)[] = [];
  /** after sort(): slots in chronological order, and amounts, locks and resize bounds in that order */
  order = new Uint32Array(0);
  chronoAmounts = new Float64Array(0);
  chronoLocked = new Uint8Array(0);
  chronoBound = new Float64Array(0);
  private sorted = new Float64Array(0);
  /** per bucket of keys, where its events start in `sorted` (sortKeys) */
  private bucketStarts = new Int32Array(0);

  reset(capacity: number): void {
    if (this.keys.length < capacity) {
      this.keys = new Float64Array(capacity);
      this.types = new Uint8Array(capacity);
      this.channels = new Uint8Array(capacity);
      this.amounts = new Float64Array(capacity);
      this.fraud = new Int8Array(capacity);
      this.locked = new Uint8Array(capacity);
      this.order = new Uint32Array(capacity);
      this.chronoAmounts = new Float64Array(capacity);
      this.chronoLocked = new Uint8Array(capacity);
      this.chronoBound = new Float64Array(capacity);
      this.sorted = new Float64Array(capacity);
      this.parties = new Array<Party | null>(capacity).fill(null);
    }
    this.count = 0;
  }

  /** Room for `capacity` events in all, keeping the ones booked so far. */
  grow(capacity: number): void {
    if (this.keys.length >= capacity) return;
    const count = this.count;
    const old = { keys: this.keys, types: this.types, channels: this.channels, amounts: this.amounts, fraud: this.fraud, locked: this.locked, parties: this.parties };
    this.keys = new Float64Array(0);
    this.reset(capacity);
    this.keys.set(old.keys.subarray(0, count));
    this.types.set(old.types.subarray(0, count));
    this.channels.set(old.channels.subarray(0, count));
    this.amounts.set(old.amounts.subarray(0, count));
    this.fraud.set(old.fraud.subarray(0, count));
    this.locked.set(old.locked.subarray(0, count));
    for (let i = 0; i < count; i++) this.parties[i] = old.parties[i] ?? null;
    this.count = count;
  }

  add(second: number, type: number, channel: number, amountMinor: number, party: Party | null, fraud: number, locked: boolean): number {
    const slot = this.count++;
    this.keys[slot] = second * SLOTS + slot;
    this.types[slot] = type;
    this.channels[slot] = channel;
    this.amounts[slot] = amountMinor;
    this.parties[slot] = party;
    this.fraud[slot] = fraud;
    this.locked[slot] = locked ? 1 : 0;
    return slot;
  }

  /** Moves an event to another second of the window (its slot keeps breaking ties). */
  retime(slot: number, second: number): void {
    this.keys[slot] = second * SLOTS + slot;
  }

  /** Takes an event out: the last one moves into its slot (keeping its second). */
  remove(slot: number): void {
    const last = this.count - 1;
    if (slot !== last) {
      this.retime(slot, this.secondOf(last));
      this.types[slot] = this.types[last] as number;
      this.channels[slot] = this.channels[last] as number;
      this.amounts[slot] = this.amounts[last] as number;
      this.fraud[slot] = this.fraud[last] as number;
      this.locked[slot] = this.locked[last] as number;
      this.parties[slot] = this.parties[last] ?? null;
    }
    this.parties[last] = null;
    this.count = last;
  }

  secondOf(slot: number): number {
    return Math.floor((this.keys[slot] as number) / SLOTS);
  }

  /** `boundOfType`: per type, how far the ledger may resize a row (see GenerationContext) */
  sort(boundOfType: ArrayLike<number>): void {
    this.sortKeys();
    const sorted = this.sorted;
    for (let i = 0; i < this.count; i++) {
      const key = sorted[i] as number;
      const slot = key - Math.floor(key / SLOTS) * SLOTS;
      this.order[i] = slot;
      this.chronoAmounts[i] = this.amounts[slot] as number;
      this.chronoLocked[i] = this.locked[slot] as number;
      this.chronoBound[i] = boundOfType[this.types[slot] as number] as number;
    }
  }

  /**
   * `sorted` = the keys in ascending order, the order a general sort gives (keys are unique), at a
   * fraction of its cost: a counting sort into as many buckets of equal key range as there are
   * events, then an insertion sort, which moves each key past the few of its bucket. A bucket too
   * crowded for that (a burst of events) leaves the account to the general sort.
   */
  private sortKeys(): void {
    const { keys, sorted, count } = this;
    if (count <= SMALL) {
      // an appended day's few events: the buckets cost more than they save
      for (let i = 0; i < count; i++) {
        const key = keys[i] as number;
        let j = i - 1;
        for (; j >= 0 && (sorted[j] as number) > key; j--) sorted[j + 1] = sorted[j] as number;
        sorted[j + 1] = key;
      }
      return;
    }
    let last = 0;
    for (let i = 0; i < count; i++) last = Math.max(last, keys[i] as number);
    const width = Math.floor(last / count) + 1;
    if (this.bucketStarts.length < count + 2) this.bucketStarts = new Int32Array(count + 2);
    const starts = this.bucketStarts;
    starts.fill(0, 0, count + 2);
    let crowded = 0;
    for (let i = 0; i < count; i++) crowded = Math.max(crowded, ++starts[Math.floor((keys[i] as number) / width) + 1]!);
    if (crowded > MAX_BUCKET) {
      const all = sorted.subarray(0, count);
      all.set(keys.subarray(0, count));
      all.sort();
      return;
    }
    for (let b = 1; b < count + 2; b++) starts[b]! += starts[b - 1]!;
    for (let i = 0; i < count; i++) sorted[starts[Math.floor((keys[i] as number) / width)]!++] = keys[i] as number;
    for (let i = 1; i < count; i++) {
      const key = sorted[i] as number;
      let j = i - 1;
      for (; j >= 0 && (sorted[j] as number) > key; j--) sorted[j + 1] = sorted[j] as number;
      sorted[j + 1] = key;
    }
  }
}
