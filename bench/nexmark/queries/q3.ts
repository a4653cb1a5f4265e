/**
 * Nexmark q3, local item suggestion: the category-10 auctions of sellers who
 * live in Oregon, Idaho or California, as (name, city, state, auction id).
 * A regular (unwindowed) join, as the suite's SQL has it: the auctions and
 * the persons, each filtered first, are connected and keyed by the person id;
 * a person is kept for good, and an auction whose seller has not arrived yet
 * (its record may come from another source subtask) waits in state for it.
 * @module
 */

import {
  type Collector,
  type KeyedCoProcessFunction,
  type KeyedProcessContext,
  type ListState,
  ListStateDescriptor,
  type RuntimeContext,
  type ValueState,
  ValueStateDescriptor,
} from "spate";
import { AUCTION, type Auction, type NexmarkEvent, PERSON, type Person } from "../model.ts";
import type { NexmarkQuery, Row } from "./query.ts";

/** The states whose sellers are suggested. */
const STATES: ReadonlySet<string> = new Set(["OR", "ID", "CA"]);
/** The category of the suggested auctions. */
const CATEGORY = 10;

/** What the join needs of a person (all the exchange carries). */
interface Seller {
  readonly id: number;
  readonly name: string;
  readonly city: string;
  readonly state: string;
}

/** What the join needs of an auction: its id and seller. */
type SuggestedAuction = readonly [id: number, seller: number];

const isLocalSeller = (p: Person) => STATES.has(p.state);
const isSuggested = (a: Auction) => a.category === CATEGORY;
const sellerOf = (p: Person): Seller => ({ id: p.id, name: p.name, city: p.city, state: p.state });
const row = (s: Seller, auction: number): Row => [s.name, s.city, s.state, auction];

/** Keyed by person id: joins the person with each of its auctions, whichever arrives first. */
class LocalItemSuggestion implements KeyedCoProcessFunction<number, Seller, SuggestedAuction, Row> {
  private seller!: ValueState<Seller>;
  private waiting!: ListState<number>;

  open(ctx: RuntimeContext) {
    this.seller = ctx.getState(new ValueStateDescriptor<Seller>("seller"));
    this.waiting = ctx.getListState(new ListStateDescriptor<number>("waiting auctions"));
  }

  processElement1(s: Seller, _ctx: KeyedProcessContext<number>, out: Collector<Row>) {
    this.seller.update(s);
    const waiting = this.waiting.get();
    if (waiting.length === 0) return;
    for (const auction of waiting) out.collect(row(s, auction));
    this.waiting.clear();
  }

  processElement2(
    [auction]: SuggestedAuction,
    _ctx: KeyedProcessContext<number>,
    out: Collector<Row>,
  ) {
    const s = this.seller.value();
    if (s === undefined) this.waiting.add(auction);
    else out.collect(row(s, auction));
  }
}

export const q3: NexmarkQuery = {
  name: "q3",
  description: "local item suggestion: (name, city, state, auction) of category-10 auctions " +
    "whose seller lives in OR, ID or CA",
  build(events) {
    const sellers = events.flatMap((e: NexmarkEvent, out: Collector<Seller>) => {
      if (e.type === PERSON && isLocalSeller(e.person)) out.collect(sellerOf(e.person));
    }).name("Persons in OR, ID, CA");
    const auctions = events.flatMap((e: NexmarkEvent, out: Collector<SuggestedAuction>) => {
      if (e.type === AUCTION && isSuggested(e.auction)) {
        out.collect([e.auction.id, e.auction.seller]);
      }
    }).name("Auctions in category 10");
    return sellers.connect(auctions)
      .keyBy((s) => s.id, ([, seller]) => seller)
      .process(new LocalItemSuggestion())
      .name("Q3 join");
  },
  raw(batches, emit) {
    const sellers = new Map<number, Seller>();
    const waiting = new Map<number, number[]>();
    for (const batch of batches) {
      for (const e of batch) {
        if (e.type === PERSON) {
          if (!isLocalSeller(e.person)) continue;
          const s = sellerOf(e.person);
          sellers.set(e.person.id, s);
          const auctions = waiting.get(e.person.id);
          if (auctions === undefined) continue;
          for (const auction of auctions) emit(row(s, auction));
          waiting.delete(e.person.id);
        } else if (e.type === AUCTION) {
          if (!isSuggested(e.auction)) continue;
          const s = sellers.get(e.auction.seller);
          if (s !== undefined) emit(row(s, e.auction.id));
          else {
            const auctions = waiting.get(e.auction.seller);
            if (auctions === undefined) waiting.set(e.auction.seller, [e.auction.id]);
            else auctions.push(e.auction.id);
          }
        }
      }
    }
  },
};
