/*
 * flowbook — Nexmark's event model (Beam's model/Event, Person, Auction, Bid), as Flink POJOs.
 */
package dev.flowbook.examples.nexmark;

/**
 * One Nexmark event: exactly one of {@link #newPerson}, {@link #newAuction} and {@link #bid} is
 * set, as in Beam's Event. Public fields and no-argument constructors make these Flink POJOs.
 */
public class NexmarkEvent {
    public Person newPerson;
    public Auction newAuction;
    public Bid bid;

    public NexmarkEvent() {}

    /** The event's own time (ms since the epoch), used as its timestamp. */
    public long dateTime() {
        return newPerson != null ? newPerson.dateTime : newAuction != null ? newAuction.dateTime : bid.dateTime;
    }

    /** One line per event, the same as bench/nexmark/generator.ts's eventLine. */
    public String toLine() {
        if (newPerson != null) {
            Person p = newPerson;
            return "P," + p.id + "," + p.name + "," + p.emailAddress + "," + p.creditCard + "," + p.city + ","
                    + p.state + "," + p.dateTime + "," + p.extra;
        }
        if (newAuction != null) {
            Auction a = newAuction;
            return "A," + a.id + "," + a.itemName + "," + a.description + "," + a.initialBid + "," + a.reserve + ","
                    + a.dateTime + "," + a.expires + "," + a.seller + "," + a.category + "," + a.extra;
        }
        return "B," + bid.auction + "," + bid.bidder + "," + bid.price + "," + bid.dateTime + "," + bid.extra;
    }

    /** A person joining the auction site. */
    public static class Person {
        public long id;
        public String name;
        public String emailAddress;
        public String creditCard;
        public String city;
        public String state;
        public long dateTime;
        public String extra;

        public Person() {}
    }

    /** An item put up for auction. */
    public static class Auction {
        public long id;
        public String itemName;
        public String description;
        public long initialBid;
        public long reserve;
        public long dateTime;
        public long expires;
        public long seller;
        public long category;
        public String extra;

        public Auction() {}
    }

    /** A bid on an auction. */
    public static class Bid {
        public long auction;
        public long bidder;
        public long price;
        public long dateTime;
        public String extra;

        public Bid() {}
    }
}
