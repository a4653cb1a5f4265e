/**
 * The random fields of the Nexmark generator: a seeded PRNG (mulberry32 on
 * module state, reseeded per event, so synchronous use only), the strings of
 * records (the specification's vocabularies, letters, padding sliced from a
 * shared pool, digits) and the channels bids name.
 * @module
 */

/** The specification's shortest random string. */
export const MIN_STRING_LENGTH = 3;

// ---------------------------------------------------------------------------
// The vocabularies of the specification.

export const FIRST_NAMES = [
  "Peter",
  "Paul",
  "Luke",
  "John",
  "Saul",
  "Vicky",
  "Kate",
  "Julie",
  "Sarah",
  "Deiter",
  "Walter",
];
export const LAST_NAMES = [
  "Shultz",
  "Abrams",
  "Spencer",
  "White",
  "Bartels",
  "Walton",
  "Smith",
  "Jones",
  "Noris",
];
export const US_CITIES = [
  "Phoenix",
  "Los Angeles",
  "San Francisco",
  "Boise",
  "Portland",
  "Bend",
  "Redmond",
  "Seattle",
  "Kent",
  "Cheyenne",
];
export const US_STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"];
export const HOT_CHANNELS = ["Google", "Facebook", "Baidu", "Apple"];
export const HOT_URLS = [
  "https://www.nexmark.com/abo/eoci/cidro/item.htm?query=1",
  "https://www.nexmark.com/eoax/oad/cidro/item.htm?query=1",
  "https://www.nexmark.com/abo/jack/cidro/item.htm?query=1",
  "https://www.nexmark.com/abo/micah/cidro/item.htm?query=1",
];
const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";

// ---------------------------------------------------------------------------
// The PRNG: mulberry32 on module state, reseeded per event (synchronous use only).

let rngState = 0;

/** murmur3's 32-bit finalizer. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Seeds the PRNG for event n of stream `seed` (distinct n below 2^32: distinct states). */
export function seedRng(seed: number, n: number): void {
  const hi = n < 4294967296 ? 0 : Math.floor(n / 4294967296);
  rngState = mix32(mix32((n | 0) + Math.imul(hi, 0x27d4eb2f)) ^ Math.imul(seed, 0x9e3779b1));
}

export function nextUint32(): number {
  const s = rngState = (rngState + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

/** A uniform integer in [0, bound). */
export function below(bound: number): number {
  return Math.floor(nextUint32() / 4294967296 * bound);
}

// ---------------------------------------------------------------------------
// Strings.

/** A random string of lowercase letters, built (and owned) character by character. */
function letters(length: number): string {
  let s = "";
  let r = 0;
  for (let i = 0; i < length; i++) {
    if (i % 6 === 0) r = nextUint32();
    s += LETTERS[r % 26];
    r = Math.floor(r / 26);
  }
  return s;
}

/** The specification's nextString: 3 .. maxLength - 1 letters. */
export function shortString(maxLength: number): string {
  return letters(MIN_STRING_LENGTH + below(maxLength - MIN_STRING_LENGTH));
}

const POOL_LENGTH = 1 << 16;
let pool = "";

/** A distinct random string of `length` letters (length <= POOL_LENGTH / 2), sliced from the pool. */
export function padding(length: number): string {
  if (pool === "") pool = makePool();
  const offset = below(POOL_LENGTH - length);
  return pool.substring(offset, offset + length);
}

function makePool(): string {
  const saved = rngState;
  rngState = 0x2545f491;
  const chunks: string[] = [];
  for (let i = 0; i < POOL_LENGTH; i += 64) chunks.push(letters(64));
  rngState = saved;
  return chunks.join("");
}

/** The specification's nextExtra: brings a record of `currentBytes` to about `averageBytes`. */
export function extra(currentBytes: number, averageBytes: number): string {
  if (currentBytes >= averageBytes) return "";
  const want = averageBytes - currentBytes;
  const delta = Math.round(want * 0.2);
  return padding(want - delta + (delta === 0 ? 0 : below(2 * delta)));
}

/** Four random digits. */
export function digits4(): string {
  const r = below(10_000);
  return DIGITS[Math.floor(r / 1000)] + DIGITS[Math.floor(r / 100) % 10] +
    DIGITS[Math.floor(r / 10) % 10] + DIGITS[r % 10];
}

/** Java's Integer.reverse, as an unsigned value. */
function reverseBits32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

/** Channel names and urls by index, filled by `makeChannel`. */
export const channelNames: string[] = [];
export const channelUrls: string[] = [];

/**
 * Makes the name and url of channel `i`, a fixed function of i, unless made
 * already (the reference too draws them once and then shares them).
 */
export function makeChannel(i: number): void {
  if (channelNames[i] !== undefined) return;
  const saved = rngState;
  rngState = mix32(i + 0x51ed270b);
  let url = `https://www.nexmark.com/${shortString(5)}/${shortString(5)}/${
    shortString(5)
  }/item.htm?query=1`;
  if (below(10) > 0) url += `&channel_id=${Math.abs(reverseBits32(i) | 0)}`;
  rngState = saved;
  channelNames[i] = `channel-${i}`;
  channelUrls[i] = url;
}
