/**
 * Nexmark q8, monitor new users: the persons who opened an auction in the
 * same tumbling 10 s window of event time as they registered, as (person id,
 * name, window start). A window coGroup of persons and auctions on
 * person.id = auction.seller: one row per distinct person and window however
 * many auctions it opened there (the suite's SQL groups both sides by window
 * before the join). The coGroup function does not see the window, so the
 * start comes from the person's own time (as in Flink).
 * @module
 */

import { type Collector, TumblingEventTimeWindows } from "spate";
import { AUCTION, eventTime, type NexmarkEvent, PERSON } from "../model.ts";
import type { NexmarkQuery, Row } from "./query.ts";

const WINDOW_SIZE_MS = 10_000;

/** What the join needs of a person (all the exchange carries). */
type NewPerson = readonly [id: number, name: string, dateTime: number];

const windowStart = (t: number) => t - (((t % WINDOW_SIZE_MS) + WINDOW_SIZE_MS) % WINDOW_SIZE_MS);

export const q8: NexmarkQuery = {
  name: "q8",
  description: "monitor new users: (person id, name, window start) of persons who opened an " +
    "auction in the 10 s tumbling window they registered in",
  build(events) {
    const persons = events.flatMap((e: NexmarkEvent, out: Collector<NewPerson>) => {
      if (e.type === PERSON) out.collect([e.person.id, e.person.name, e.person.dateTime]);
    }).name("Persons");
    const sellers = events.flatMap((e: NexmarkEvent, out: Collector<number>) => {
      if (e.type === AUCTION) out.collect(e.auction.seller);
    }).name("Auction sellers");
    return persons.coGroup(sellers)
      .where(([id]) => id)
      .equalTo((seller) => seller)
      .window(TumblingEventTimeWindows.of(WINDOW_SIZE_MS))
      .apply<Row>((ps: NewPerson[], auctions: number[], out) => {
        if (ps.length === 0 || auctions.length === 0) return;
        const [id, name, dateTime] = ps[0];
        const start = windowStart(dateTime);
        if (ps.length === 1) out.collect([id, name, start]);
        else {
          // Person ids are unique; should one come twice, each distinct name is one row.
          for (const other of new Set(ps.map((p) => p[1]))) out.collect([id, other, start]);
        }
      }).name("Q8 new sellers");
  },
  raw(batches, emit) {
    // Window start -> person id -> names; window start -> sellers.
    const persons = new Map<number, Map<number, string[]>>();
    const sellers = new Map<number, Set<number>>();
    let maxTime = -Infinity;
    const fire = (watermark: number) => {
      for (const [start, byId] of persons) {
        if (start + WINDOW_SIZE_MS - 1 > watermark) continue;
        const opened = sellers.get(start);
        if (opened !== undefined) {
          for (const [id, names] of byId) {
            if (opened.has(id)) { for (const name of names) emit([id, name, start]); }
          }
        }
        persons.delete(start);
      }
      for (const start of sellers.keys()) {
        if (start + WINDOW_SIZE_MS - 1 <= watermark) sellers.delete(start);
      }
    };
    for (const batch of batches) {
      for (const e of batch) {
        const t = eventTime(e);
        if (t > maxTime) maxTime = t;
        if (e.type === PERSON) {
          const start = windowStart(t);
          let byId = persons.get(start);
          if (byId === undefined) persons.set(start, byId = new Map());
          const names = byId.get(e.person.id);
          if (names === undefined) byId.set(e.person.id, [e.person.name]);
          else if (!names.includes(e.person.name)) names.push(e.person.name);
        } else if (e.type === AUCTION) {
          const start = windowStart(t);
          let opened = sellers.get(start);
          if (opened === undefined) sellers.set(start, opened = new Set());
          opened.add(e.auction.seller);
        }
      }
      fire(maxTime - 1);
    }
    fire(Infinity);
  },
};
