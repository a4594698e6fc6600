/**
 * Nexmark's events, each a pure function of its number and a seed — Beam's Nexmark generator
 * (sdks/java/testing/nexmark: GeneratorConfig, Generator, model/PersonGenerator,
 * AuctionGenerator, BidGenerator, PriceGenerator, StringsGenerator, LongGenerator) with its
 * default configuration and one event timeline, so that a pipeline derives the events from
 * `GenerateSequence.from(0).to(n)` with a ParDo, in any order and on any worker.
 *
 * Event i: its id is i; it is a person if i % 50 < 1, an auction if < 4, a bid otherwise;
 * its fields come from java.util.Random seeded with i (XOR the seed shifted left 24 bits;
 * seed 0 is Beam's seeding), re-implemented here bit for bit; its event time is
 * baseTime + floor(i · 100 µs) (10 000 events a second of event time; baseTime is
 * 1 January 2026 unless given).
 * flink/examples-nexmark's NexmarkGenerator.java is the same function in Java;
 * test/bench/nexmark_generator.test.ts compares the two.
 *
 * This file imports nothing: the benchmark copies it beside the user scripts as
 * `nexmark.ts`, which they import as a user's own module.
 */

/** Beam's NexmarkConfiguration defaults, and what this generator fixes. */
export const NEXMARK = {
  /** Event time of event 0 (Beam: the launch time; fixed here so runs agree). */
  baseTime: Date.UTC(2026, 0, 1),
  /** 10 000 events a second on one timeline (Beam: firstEventRate 10000, PER_SECOND). */
  interEventDelayUs: 100,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  firstPersonId: 1000,
  firstAuctionId: 1000,
  firstCategoryId: 10,
  numCategories: 5,
  personIdLead: 10,
  auctionIdLead: 10,
  hotSellerRatio: 100,
  hotAuctionRatio: 100,
  hotBidderRatio: 100,
  /** NexmarkConfiguration.hotAuctionRatio, hotSellersRatio, hotBiddersRatio. */
  hotAuctionsConfigRatio: 2,
  hotSellersConfigRatio: 4,
  hotBiddersConfigRatio: 4,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  /** Query 5: sliding windows of windowSizeSec every windowPeriodSec. */
  windowSizeSec: 10,
  windowPeriodSec: 5,
  /** Query 11: sessions with a windowSizeSec gap, a pane every maxLogEvents bids (Beam's default is 100 000; lower so the trigger fires). */
  maxLogEvents: 1000,
  /** Query 11's allowed lateness is occasionalDelaySec / 2. */
  occasionalDelaySec: 3,
} as const;

export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
  extra: string;
}

/** Beam's Event: exactly one of the three is set. */
export interface NexmarkEvent {
  newPerson?: Person;
  newAuction?: Auction;
  bid?: Bid;
}

const TWO_24 = 0x1000000;
/** 2^-k for k = 0 … 48: multiplying by it is an exact division by 2^k. */
const POW2_NEG = Array.from({ length: 49 }, (_, k) => 2 ** -k);
const DENOMINATOR = NEXMARK.personProportion + NEXMARK.auctionProportion + NEXMARK.bidProportion;

/**
 * java.util.Random, exactly: a 48-bit linear congruential generator. The state is kept as
 * two 24-bit halves so every product stays below 2^53 (a double's exact integers).
 */
class JavaRandom {
  private hi: number;
  private lo: number;

  /** new Random(id ^ (seed << 24)), for 0 ≤ id < 2^48 and 0 ≤ seed < 2^24. */
  constructor(id: number, seed: number) {
    // Random's initial scramble: (s ^ 0x5DEECE66D) & (2^48 - 1).
    this.lo = (id % TWO_24) ^ 0xece66d;
    this.hi = (Math.floor(id / TWO_24) % TWO_24) ^ seed ^ 0x5de;
  }

  /** Random.next(bits): the state advances, its top `bits` bits are returned (as Java's int). */
  next(bits: number): number {
    // Floor divisions by powers of two, not %: exact on doubles, and much faster in V8.
    const p = this.lo * 0xece66d + 0xb;
    const carry = Math.floor(p / TWO_24);
    const lo = p - carry * TWO_24;
    const h = this.hi * 0xece66d + this.lo * 0x5de + carry;
    const hi = h - Math.floor(h / TWO_24) * TWO_24;
    this.hi = hi;
    this.lo = lo;
    const v = Math.floor((hi * TWO_24 + lo) * POW2_NEG[48 - bits]!);
    return bits === 32 ? v | 0 : v;
  }

  nextInt(bound?: number): number {
    if (bound === undefined) return this.next(32);
    if ((bound & -bound) === bound) return this.next(31) >>> (31 - (31 - Math.clz32(bound)));
    for (;;) {
      const bits = this.next(31);
      const val = bits % bound;
      // Java's int overflow test: bits - val + (bound - 1) < 0.
      if (bits - val + (bound - 1) < 2 ** 31) return val;
    }
  }

  nextDouble(): number {
    return (this.next(26) * 2 ** 27 + this.next(27)) / 2 ** 53;
  }
}

/** LongGenerator.nextLong for the small bounds Nexmark uses (Beam falls back to nextLong() % n above 2^31 - 1). */
function nextLong(r: JavaRandom, n: number): number {
  if (n >= 2 ** 31 - 1) throw new Error(`nexmark generator: bound ${n} needs Random.nextLong(), which this generator never reaches`);
  return r.nextInt(n);
}

/** PriceGenerator.nextPrice (Java: Math.round(StrictMath.pow(10, d·6)·100); V8's pow is fdlibm's, as StrictMath's). */
function nextPrice(r: JavaRandom): number {
  return Math.round(Math.pow(10.0, r.nextDouble() * 6.0) * 100.0);
}

function nextString(r: JavaRandom, maxLength: number): string {
  let len = 3 + r.nextInt(maxLength - 3);
  let s = "";
  while (len-- > 0) s += r.nextInt(13) === 0 ? " " : String.fromCharCode(97 + r.nextInt(26));
  return s.trim();
}

function nextExactString(r: JavaRandom, length: number): string {
  let s = "";
  let rnd = 0;
  let n = 0;
  while (length-- > 0) {
    if (n === 0) {
      rnd = r.nextInt();
      n = 6;
    }
    // Java's % and / on a negative int truncate toward zero, as JavaScript's % and Math.trunc.
    s += String.fromCharCode(97 + (rnd % 26));
    rnd = Math.trunc(rnd / 26);
    n--;
  }
  return s;
}

function nextExtra(r: JavaRandom, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return "";
  desiredAverageSize -= currentSize;
  const delta = Math.round(desiredAverageSize * 0.2);
  const minSize = desiredAverageSize - delta;
  return nextExactString(r, minSize + (delta === 0 ? 0 : r.nextInt(2 * delta)));
}

/** Event time of event number i, for the event time of event 0. */
export function eventTimestamp(i: number, baseTime: number = NEXMARK.baseTime): number {
  return baseTime + Math.floor((i * NEXMARK.interEventDelayUs) / 1000);
}

function lastBase0PersonId(eventId: number): number {
  const epoch = Math.trunc(eventId / DENOMINATOR);
  let offset = eventId % DENOMINATOR;
  if (offset >= NEXMARK.personProportion) offset = NEXMARK.personProportion - 1;
  return epoch * NEXMARK.personProportion + offset;
}

function lastBase0AuctionId(eventId: number): number {
  let epoch = Math.trunc(eventId / DENOMINATOR);
  let offset = eventId % DENOMINATOR;
  if (offset < NEXMARK.personProportion) {
    epoch--;
    offset = NEXMARK.auctionProportion - 1;
  } else if (offset >= NEXMARK.personProportion + NEXMARK.auctionProportion) {
    offset = NEXMARK.auctionProportion - 1;
  } else {
    offset -= NEXMARK.personProportion;
  }
  return epoch * NEXMARK.auctionProportion + offset;
}

function nextBase0PersonId(eventId: number, r: JavaRandom): number {
  const numPeople = lastBase0PersonId(eventId) + 1;
  const activePeople = Math.min(numPeople, NEXMARK.numActivePeople);
  return numPeople - activePeople + nextLong(r, activePeople + NEXMARK.personIdLead);
}

function nextBase0AuctionId(eventId: number, r: JavaRandom): number {
  const maxAuction = lastBase0AuctionId(eventId);
  const minAuction = Math.max(maxAuction - NEXMARK.numInFlightAuctions, 0);
  return minAuction + nextLong(r, maxAuction - minAuction + 1 + NEXMARK.auctionIdLead);
}

const US_STATES = "AZ,CA,ID,OR,WA,WY".split(",");
const US_CITIES = "Phoenix,Los Angeles,San Francisco,Boise,Portland,Bend,Redmond,Seattle,Kent,Cheyenne".split(",");
const FIRST_NAMES = "Peter,Paul,Luke,John,Saul,Vicky,Kate,Julie,Sarah,Deiter,Walter".split(",");
const LAST_NAMES = "Shultz,Abrams,Spencer,White,Bartels,Walton,Smith,Jones,Noris".split(",");

function nextPerson(id: number, r: JavaRandom, timestamp: number): Person {
  const name = `${FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[r.nextInt(LAST_NAMES.length)]}`;
  const emailAddress = `${nextString(r, 7)}@${nextString(r, 5)}.com`;
  const cc: string[] = [];
  for (let k = 0; k < 4; k++) cc.push(String(r.nextInt(10000)).padStart(4, "0"));
  const creditCard = cc.join(" ");
  const city = US_CITIES[r.nextInt(US_CITIES.length)]!;
  const state = US_STATES[r.nextInt(US_STATES.length)]!;
  const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
  const extra = nextExtra(r, size, NEXMARK.avgPersonByteSize);
  return { id: lastBase0PersonId(id) + NEXMARK.firstPersonId, name, emailAddress, creditCard, city, state, dateTime: timestamp, extra };
}

function nextAuction(id: number, r: JavaRandom, timestamp: number, baseTime: number): Auction {
  let seller: number;
  if (r.nextInt(NEXMARK.hotSellersConfigRatio) > 0) {
    seller = Math.trunc(lastBase0PersonId(id) / NEXMARK.hotSellerRatio) * NEXMARK.hotSellerRatio;
  } else {
    seller = nextBase0PersonId(id, r);
  }
  seller += NEXMARK.firstPersonId;
  const category = NEXMARK.firstCategoryId + r.nextInt(NEXMARK.numCategories);
  const initialBid = nextPrice(r);
  // The auction lasts, on average, until numInFlightAuctions more auctions have been made.
  const eventsForAuctions = Math.trunc((NEXMARK.numInFlightAuctions * DENOMINATOR) / NEXMARK.auctionProportion);
  const horizonMs = eventTimestamp(id + eventsForAuctions, baseTime) - timestamp;
  const expires = timestamp + 1 + nextLong(r, Math.max(horizonMs * 2, 1));
  const itemName = nextString(r, 20);
  const description = nextString(r, 100);
  const reserve = initialBid + nextPrice(r);
  const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
  const extra = nextExtra(r, size, NEXMARK.avgAuctionByteSize);
  return { id: lastBase0AuctionId(id) + NEXMARK.firstAuctionId, itemName, description, initialBid, reserve, dateTime: timestamp, expires, seller, category, extra };
}

function nextBid(id: number, r: JavaRandom, timestamp: number): Bid {
  let auction: number;
  if (r.nextInt(NEXMARK.hotAuctionsConfigRatio) > 0) {
    auction = Math.trunc(lastBase0AuctionId(id) / NEXMARK.hotAuctionRatio) * NEXMARK.hotAuctionRatio;
  } else {
    auction = nextBase0AuctionId(id, r);
  }
  auction += NEXMARK.firstAuctionId;
  let bidder: number;
  if (r.nextInt(NEXMARK.hotBiddersConfigRatio) > 0) {
    bidder = Math.trunc(lastBase0PersonId(id) / NEXMARK.hotBidderRatio) * NEXMARK.hotBidderRatio + 1;
  } else {
    bidder = nextBase0PersonId(id, r);
  }
  bidder += NEXMARK.firstPersonId;
  const price = nextPrice(r);
  const extra = nextExtra(r, 32, NEXMARK.avgBidByteSize);
  return { auction, bidder, price, dateTime: timestamp, extra };
}

/**
 * Event number i (0 ≤ i < 2^48) for a seed (0 ≤ seed < 2^24; 0 is Beam's), its event time
 * counted from baseTime (the unbounded benchmark starts it ahead of the wall clock: see README).
 */
export function nexmarkEvent(i: number, seed = 0, baseTime: number = NEXMARK.baseTime): NexmarkEvent {
  const r = new JavaRandom(i, seed);
  const t = eventTimestamp(i, baseTime);
  const rem = i % DENOMINATOR;
  if (rem < NEXMARK.personProportion) return { newPerson: nextPerson(i, r, t) };
  if (rem < NEXMARK.personProportion + NEXMARK.auctionProportion) return { newAuction: nextAuction(i, r, t, baseTime) };
  return { bid: nextBid(i, r, t) };
}

/** One line per event, the same in Java (NexmarkEvent.toLine): what Query 0 writes and the cross-check compares. */
export function eventLine(e: NexmarkEvent): string {
  if (e.newPerson) {
    const p = e.newPerson;
    return `P,${p.id},${p.name},${p.emailAddress},${p.creditCard},${p.city},${p.state},${p.dateTime},${p.extra}`;
  }
  if (e.newAuction) {
    const a = e.newAuction;
    return `A,${a.id},${a.itemName},${a.description},${a.initialBid},${a.reserve},${a.dateTime},${a.expires},${a.seller},${a.category},${a.extra}`;
  }
  const b = e.bid!;
  return `B,${b.auction},${b.bidder},${b.price},${b.dateTime},${b.extra}`;
}

/** The event's own time (Beam: Event's dateTime), which the pipelines use as its timestamp. */
export function eventTime(e: NexmarkEvent): number {
  return (e.newPerson ?? e.newAuction ?? e.bid)!.dateTime;
}
