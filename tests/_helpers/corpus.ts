/**
 * A deterministic multilingual corpus and an independent word counter to check
 * WordCount against. The counter walks code points one by one instead of using
 * the job's regular expression.
 * @module
 */

const VOCABULARY = [
  "Über",
  "über",
  "straße",
  "Straße",
  "ÉCOLE",
  "école",
  "naïve",
  "façade",
  "smörgåsbord",
  "ﬁne",
  "Ωmega",
  "ωμέγα",
  "Αθήνα",
  "αθήνα",
  "Москва",
  "москва",
  "Пушкин",
  "добрый",
  "день",
  "東京",
  "日本語",
  "水の音",
  "蛙",
  "古池",
  "한국어",
  "서울",
  "مرحبا",
  "سلام",
  "שלום",
  "नमस्ते",
  "ǅemal",
  "İstanbul",
  "ıssız",
  "ΣΊΣΥΦΟΣ",
  "café",
  "CAFÉ",
  "x2",
  "2024",
  "٣٤٥",
  "version10",
  "the",
  "The",
  "THE",
  "and",
  "of",
  "to",
  "rabbit",
  "Alice",
  "alice",
  "hole",
];
const SEPARATORS = [
  " ",
  " ",
  " ",
  ", ",
  ". ",
  " - ",
  "\t",
  "; ",
  "! ",
  "? ",
  " (",
  ") ",
  " « ",
  " » ",
  "—",
  "'",
  "’",
  "_",
];

/** A small seeded PRNG (mulberry32): the same corpus on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `files` files of about `bytesPerFile` bytes each into `dir`. */
export async function writeCorpus(dir: string, files: number, bytesPerFile: number, seed = 7) {
  const rnd = prng(seed);
  const enc = new TextEncoder();
  for (let f = 0; f < files; f++) {
    const parts: string[] = [];
    let size = 0;
    while (size < bytesPerFile) {
      const words = 1 + Math.floor(rnd() * 14);
      let line = "";
      for (let w = 0; w < words; w++) {
        const word = rnd() < 0.1
          ? `w${Math.floor(rnd() * 5000)}`
          : VOCABULARY[Math.floor(rnd() * VOCABULARY.length)];
        line += word + SEPARATORS[Math.floor(rnd() * SEPARATORS.length)];
      }
      line += rnd() < 0.2 ? "\r\n" : "\n";
      parts.push(line);
      size += enc.encode(line).length;
    }
    await Deno.writeTextFile(`${dir}/part-${String(f).padStart(3, "0")}.txt`, parts.join(""));
  }
}

const WORD_CHAR = /^[\p{L}\p{N}]$/u;

/** Counts words (maximal runs of letters or digits, lowercased) char by char. */
export function referenceCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  let word = "";
  const flush = () => {
    if (word.length === 0) return;
    const w = word.toLowerCase();
    counts.set(w, (counts.get(w) ?? 0) + 1);
    word = "";
  };
  for (const ch of text) {
    if (WORD_CHAR.test(ch)) word += ch;
    else flush();
  }
  flush();
  return counts;
}

/** Reads `word,count` lines from a file or a directory of part files. */
export async function readCounts(path: string): Promise<Map<string, number>> {
  const info = await Deno.stat(path);
  const files = info.isFile ? [path] : [...Deno.readDirSync(path)].map((e) => `${path}/${e.name}`);
  const counts = new Map<string, number>();
  for (const file of files) {
    for (const line of (await Deno.readTextFile(file)).split("\n")) {
      if (line === "") continue;
      const comma = line.lastIndexOf(",");
      const word = line.slice(0, comma);
      if (counts.has(word)) throw new Error(`word '${word}' appears twice in the output`);
      counts.set(word, Number(line.slice(comma + 1)));
    }
  }
  return counts;
}
