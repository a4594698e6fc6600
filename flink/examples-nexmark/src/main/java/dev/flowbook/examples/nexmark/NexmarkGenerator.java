/*
 * flowbook — Nexmark's deterministic event generator, after Beam's Nexmark
 * (sdks/java/testing/nexmark: GeneratorConfig, Generator, model/*Generator) with its default
 * configuration and one event timeline. The same function as bench/nexmark/generator.ts;
 * test/bench/nexmark_generator.test.ts compares the two.
 */
package dev.flowbook.examples.nexmark;

import dev.flowbook.examples.nexmark.NexmarkEvent.Auction;
import dev.flowbook.examples.nexmark.NexmarkEvent.Bid;
import dev.flowbook.examples.nexmark.NexmarkEvent.Person;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Event number {@code i} as a pure function of {@code i} and a seed: its id is {@code i}; a
 * person if {@code i % 50 < 1}, an auction if {@code < 4}, a bid otherwise; its fields drawn from
 * {@code new Random(i ^ (seed << 24))} (seed 0 is Beam's seeding); its event time
 * {@link #BASE_TIME} (or a given base time) + floor(i · 100 µs).
 *
 * <p>{@code java -cp flowbook-flink-nexmark.jar dev.flowbook.examples.nexmark.NexmarkGenerator N [SEED [FIRST [BASE_TIME]]]}
 * prints events FIRST … FIRST+N-1, one line each.
 */
public final class NexmarkGenerator {
    /** Event time of event 0: 1 January 2026, 00:00 UTC (Beam: the launch time). */
    public static final long BASE_TIME = 1767225600000L;
    /** 10 000 events a second (Beam: firstEventRate 10000 per second, one generator). */
    public static final long INTER_EVENT_DELAY_US = 100;

    static final int PERSON_PROPORTION = 1;
    static final int AUCTION_PROPORTION = 3;
    static final int BID_PROPORTION = 46;
    static final int DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;
    static final long FIRST_PERSON_ID = 1000;
    static final long FIRST_AUCTION_ID = 1000;
    static final long FIRST_CATEGORY_ID = 10;
    static final int NUM_CATEGORIES = 5;
    static final int PERSON_ID_LEAD = 10;
    static final int AUCTION_ID_LEAD = 10;
    static final int HOT_SELLER_RATIO = 100;
    static final int HOT_AUCTION_RATIO = 100;
    static final int HOT_BIDDER_RATIO = 100;
    // NexmarkConfiguration's defaults.
    static final int HOT_AUCTIONS_CONFIG_RATIO = 2;
    static final int HOT_SELLERS_CONFIG_RATIO = 4;
    static final int HOT_BIDDERS_CONFIG_RATIO = 4;
    static final int NUM_ACTIVE_PEOPLE = 1000;
    static final int NUM_IN_FLIGHT_AUCTIONS = 100;
    static final int AVG_PERSON_BYTE_SIZE = 200;
    static final int AVG_AUCTION_BYTE_SIZE = 500;
    static final int AVG_BID_BYTE_SIZE = 100;

    /** Query 5: sliding windows of this size, every period. */
    public static final long WINDOW_SIZE_SEC = 10;
    public static final long WINDOW_PERIOD_SEC = 5;
    /** Query 11: a pane every this many bids of a session (Beam's default is 100 000). */
    public static final long MAX_LOG_EVENTS = 1000;
    public static final long OCCASIONAL_DELAY_SEC = 3;

    private NexmarkGenerator() {}

    /** Event number {@code i} (0 ≤ i < 2^48) for a seed (0 ≤ seed < 2^24), from {@link #BASE_TIME}. */
    public static NexmarkEvent event(long i, int seed) {
        return event(i, seed, BASE_TIME);
    }

    /** Event number {@code i} with its event time counted from {@code baseTime}. */
    public static NexmarkEvent event(long i, int seed, long baseTime) {
        Random random = new Random(i ^ ((long) seed << 24));
        long t = eventTimestamp(i, baseTime);
        long rem = i % DENOMINATOR;
        NexmarkEvent e = new NexmarkEvent();
        if (rem < PERSON_PROPORTION) {
            e.newPerson = nextPerson(i, random, t);
        } else if (rem < PERSON_PROPORTION + AUCTION_PROPORTION) {
            e.newAuction = nextAuction(i, random, t, baseTime);
        } else {
            e.bid = nextBid(i, random, t);
        }
        return e;
    }

    public static long eventTimestamp(long i, long baseTime) {
        return baseTime + (i * INTER_EVENT_DELAY_US) / 1000L;
    }

    static long lastBase0PersonId(long eventId) {
        long epoch = eventId / DENOMINATOR;
        long offset = eventId % DENOMINATOR;
        if (offset >= PERSON_PROPORTION) {
            offset = PERSON_PROPORTION - 1;
        }
        return epoch * PERSON_PROPORTION + offset;
    }

    static long lastBase0AuctionId(long eventId) {
        long epoch = eventId / DENOMINATOR;
        long offset = eventId % DENOMINATOR;
        if (offset < PERSON_PROPORTION) {
            epoch--;
            offset = AUCTION_PROPORTION - 1;
        } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
            offset = AUCTION_PROPORTION - 1;
        } else {
            offset -= PERSON_PROPORTION;
        }
        return epoch * AUCTION_PROPORTION + offset;
    }

    static long nextLong(Random random, long n) {
        if (n >= Integer.MAX_VALUE) {
            throw new IllegalStateException("bound " + n + " needs Random.nextLong(), which this generator never reaches");
        }
        return random.nextInt((int) n);
    }

    /** Beam's PriceGenerator, with StrictMath.pow (fdlibm, as V8's Math.pow) so Java and Node agree. */
    static long nextPrice(Random random) {
        return Math.round(StrictMath.pow(10.0, random.nextDouble() * 6.0) * 100.0);
    }

    static String nextString(Random random, int maxLength) {
        int len = 3 + random.nextInt(maxLength - 3);
        StringBuilder sb = new StringBuilder();
        while (len-- > 0) {
            if (random.nextInt(13) == 0) {
                sb.append(' ');
            } else {
                sb.append((char) ('a' + random.nextInt(26)));
            }
        }
        return sb.toString().trim();
    }

    static String nextExactString(Random random, int length) {
        StringBuilder sb = new StringBuilder();
        int rnd = 0;
        int n = 0;
        while (length-- > 0) {
            if (n == 0) {
                rnd = random.nextInt();
                n = 6;
            }
            sb.append((char) ('a' + rnd % 26));
            rnd /= 26;
            n--;
        }
        return sb.toString();
    }

    static String nextExtra(Random random, int currentSize, int desiredAverageSize) {
        if (currentSize > desiredAverageSize) {
            return "";
        }
        desiredAverageSize -= currentSize;
        int delta = (int) Math.round(desiredAverageSize * 0.2);
        int minSize = desiredAverageSize - delta;
        int desiredSize = minSize + (delta == 0 ? 0 : random.nextInt(2 * delta));
        return nextExactString(random, desiredSize);
    }

    static long nextBase0PersonId(long eventId, Random random) {
        long numPeople = lastBase0PersonId(eventId) + 1;
        long activePeople = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
        long n = nextLong(random, activePeople + PERSON_ID_LEAD);
        return numPeople - activePeople + n;
    }

    static long nextBase0AuctionId(long eventId, Random random) {
        long maxAuction = lastBase0AuctionId(eventId);
        long minAuction = Math.max(maxAuction - NUM_IN_FLIGHT_AUCTIONS, 0);
        return minAuction + nextLong(random, maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
    }

    private static final String[] US_STATES = "AZ,CA,ID,OR,WA,WY".split(",");
    private static final String[] US_CITIES =
            "Phoenix,Los Angeles,San Francisco,Boise,Portland,Bend,Redmond,Seattle,Kent,Cheyenne".split(",");
    private static final String[] FIRST_NAMES = "Peter,Paul,Luke,John,Saul,Vicky,Kate,Julie,Sarah,Deiter,Walter".split(",");
    private static final String[] LAST_NAMES = "Shultz,Abrams,Spencer,White,Bartels,Walton,Smith,Jones,Noris".split(",");

    static Person nextPerson(long id, Random random, long timestamp) {
        Person p = new Person();
        p.id = lastBase0PersonId(id) + FIRST_PERSON_ID;
        p.name = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)] + " " + LAST_NAMES[random.nextInt(LAST_NAMES.length)];
        p.emailAddress = nextString(random, 7) + "@" + nextString(random, 5) + ".com";
        StringBuilder cc = new StringBuilder();
        for (int k = 0; k < 4; k++) {
            if (k > 0) {
                cc.append(' ');
            }
            cc.append(String.format("%04d", random.nextInt(10000)));
        }
        p.creditCard = cc.toString();
        p.city = US_CITIES[random.nextInt(US_CITIES.length)];
        p.state = US_STATES[random.nextInt(US_STATES.length)];
        int size = 8 + p.name.length() + p.emailAddress.length() + p.creditCard.length() + p.city.length() + p.state.length();
        p.extra = nextExtra(random, size, AVG_PERSON_BYTE_SIZE);
        p.dateTime = timestamp;
        return p;
    }

    static Auction nextAuction(long id, Random random, long timestamp, long baseTime) {
        Auction a = new Auction();
        a.id = lastBase0AuctionId(id) + FIRST_AUCTION_ID;
        long seller;
        if (random.nextInt(HOT_SELLERS_CONFIG_RATIO) > 0) {
            seller = (lastBase0PersonId(id) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO;
        } else {
            seller = nextBase0PersonId(id, random);
        }
        a.seller = seller + FIRST_PERSON_ID;
        a.category = FIRST_CATEGORY_ID + random.nextInt(NUM_CATEGORIES);
        a.initialBid = nextPrice(random);
        // The auction lasts, on average, until numInFlightAuctions more auctions have been made.
        long eventsForAuctions = ((long) NUM_IN_FLIGHT_AUCTIONS * DENOMINATOR) / AUCTION_PROPORTION;
        long horizonMs = eventTimestamp(id + eventsForAuctions, baseTime) - timestamp;
        a.expires = timestamp + 1L + nextLong(random, Math.max(horizonMs * 2, 1L));
        a.itemName = nextString(random, 20);
        a.description = nextString(random, 100);
        a.reserve = a.initialBid + nextPrice(random);
        int size = 8 + a.itemName.length() + a.description.length() + 8 + 8 + 8 + 8 + 8;
        a.extra = nextExtra(random, size, AVG_AUCTION_BYTE_SIZE);
        a.dateTime = timestamp;
        return a;
    }

    static Bid nextBid(long id, Random random, long timestamp) {
        Bid b = new Bid();
        long auction;
        if (random.nextInt(HOT_AUCTIONS_CONFIG_RATIO) > 0) {
            auction = (lastBase0AuctionId(id) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO;
        } else {
            auction = nextBase0AuctionId(id, random);
        }
        b.auction = auction + FIRST_AUCTION_ID;
        long bidder;
        if (random.nextInt(HOT_BIDDERS_CONFIG_RATIO) > 0) {
            bidder = (lastBase0PersonId(id) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1;
        } else {
            bidder = nextBase0PersonId(id, random);
        }
        b.bidder = bidder + FIRST_PERSON_ID;
        b.price = nextPrice(random);
        b.extra = nextExtra(random, 32, AVG_BID_BYTE_SIZE);
        b.dateTime = timestamp;
        return b;
    }

    /** Prints events FIRST … FIRST+N-1, one line each (the cross-check against the TypeScript generator). */
    public static void main(String[] args) throws Exception {
        long n = Long.parseLong(args[0]);
        int seed = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        long first = args.length > 2 ? Long.parseLong(args[2]) : 0;
        long baseTime = args.length > 3 ? Long.parseLong(args[3]) : BASE_TIME;
        try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)) {
            for (long i = first; i < first + n; i++) {
                out.write(event(i, seed, baseTime).toLine());
                out.write('\n');
            }
        }
    }
}
