package dev.flowbook.flink.windowing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A trigger of flowbook's data model (src/sdk/windowing/triggers.ts: the TriggerSpec JSON the
 * pipeline graph keeps) as a state machine, with Beam's runners-core semantics
 * (TriggerStateMachine and its subclasses). The tree is immutable and shared by every key and
 * window; what changes lives in a {@link State} per window. Nodes are numbered in preorder, so
 * a State is three arrays indexed by node id.
 *
 * <p>Times here are Beam's: the input watermark {@code wm} means "no element before wm will
 * come" (the operator passes Flink's watermark + 1), and the end of a window is reached once
 * {@code wm > window.maxTimestamp()}.
 */
public abstract class Trigger implements Serializable {
    private static final long serialVersionUID = 1L;
    static final long UNSET = Long.MIN_VALUE;

    /** Preorder index of this node in its tree. */
    int id;
    final List<Trigger> subs;

    Trigger(List<Trigger> subs) {
        this.subs = List.copyOf(subs);
    }

    /** What a trigger sees and may do: the window, the times, and processing-time timers. */
    public interface Context {
        /** The window's max timestamp. */
        long windowMaxTimestamp();

        /** Beam's input watermark (Flink's + 1). */
        long inputWatermark();

        long processingTime();

        void setProcessingTimer(long time);

        /** Whether windows may merge (then AfterEach and early/late run all their subtriggers, as Beam does). */
        default boolean merging() {
            return false;
        }
    }

    /** Per-window state of a whole tree. */
    public static final class State {
        final boolean[] finished;
        final long[] count;
        final long[] delayedUntil;

        State(int nodes) {
            finished = new boolean[nodes];
            count = new long[nodes];
            delayedUntil = new long[nodes];
            java.util.Arrays.fill(delayedUntil, UNSET);
        }

        public int size() {
            return finished.length;
        }
    }

    // ------------------------------------------------------------------ parsing

    /** Parses a TriggerSpec; {@code where} names the field in error messages. */
    public static Trigger parse(JsonNode spec, String where) {
        Trigger t = parseNode(spec, where);
        number(t, new int[] {0});
        return t;
    }

    public static Trigger defaultTrigger() {
        return parse(null, "trigger");
    }

    private static void number(Trigger t, int[] next) {
        t.id = next[0]++;
        for (Trigger s : t.subs) number(s, next);
    }

    public int nodes() {
        int n = 1;
        for (Trigger s : subs) n += s.nodes();
        return n;
    }

    public State newState() {
        return new State(nodes());
    }

    private static Trigger parseNode(JsonNode spec, String where) {
        if (spec == null || spec.isNull() || spec.isMissingNode()) return new DefaultT();
        if (!spec.isObject() || !spec.path("kind").isTextual()) throw new IllegalArgumentException(where + ": a trigger spec needs a string 'kind', got " + spec);
        String kind = spec.get("kind").asText();
        switch (kind) {
            case "default":
                return new DefaultT();
            case "never":
                return new NeverT();
            case "always":
                return new RepeatT(new CountT(1)); // Always = Repeatedly.forever(AfterPane.elementCountAtLeast(1))
            case "elementCount": {
                long n = spec.path("elementCount").asLong(0);
                if (!spec.path("elementCount").canConvertToLong() || n < 1) throw new IllegalArgumentException(where + ".elementCount: an integer >= 1, got " + spec.get("elementCount"));
                return new CountT(n);
            }
            case "afterProcessingTime":
                return new ProcessingTimeT(transforms(spec.get("timestampTransforms"), where + ".timestampTransforms"));
            case "afterSynchronizedProcessingTime":
                return new ProcessingTimeT(new long[0][]);
            case "afterEndOfWindow": {
                JsonNode early = spec.get("earlyFirings"), late = spec.get("lateFirings");
                boolean hasEarly = early != null && !early.isNull(), hasLate = late != null && !late.isNull();
                if (!hasEarly && !hasLate) return new EndOfWindowT();
                Trigger e = hasEarly ? once(parseNode(early, where + ".earlyFirings"), where + ".earlyFirings") : new NeverT();
                Trigger l = hasLate ? once(parseNode(late, where + ".lateFirings"), where + ".lateFirings") : null;
                return new EarlyLateT(e, l);
            }
            case "repeat":
                return new RepeatT(parseNode(required(spec, "subtrigger", where), where + ".subtrigger"));
            case "afterAny":
                return new AnyT(subtriggers(spec, where, true));
            case "afterAll":
                return new AllT(subtriggers(spec, where, true));
            case "afterEach":
                return new EachT(subtriggers(spec, where, false));
            case "orFinally":
                return new OrFinallyT(parseNode(required(spec, "main", where), where + ".main"),
                        once(parseNode(required(spec, "finally", where), where + ".finally"), where + ".finally"));
            default:
                throw new IllegalArgumentException(where + ".kind: unknown trigger kind '" + kind + "' (expected default, afterEndOfWindow, afterProcessingTime, "
                        + "afterSynchronizedProcessingTime, elementCount, repeat, afterAny, afterAll, afterEach, orFinally, never, always)");
        }
    }

    private static JsonNode required(JsonNode spec, String field, String where) {
        JsonNode n = spec.get(field);
        if (n == null || n.isNull()) throw new IllegalArgumentException(where + ": " + spec.get("kind").asText() + " needs '" + field + "'");
        return n;
    }

    private static List<Trigger> subtriggers(JsonNode spec, String where, boolean once) {
        JsonNode a = spec.get("subtriggers");
        if (a == null || !a.isArray() || a.isEmpty()) throw new IllegalArgumentException(where + ".subtriggers: a non-empty array, got " + a);
        List<Trigger> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            Trigger t = parseNode(a.get(i), where + ".subtriggers[" + i + "]");
            out.add(once ? once(t, where + ".subtriggers[" + i + "]") : t);
        }
        return out;
    }

    private static Trigger once(Trigger t, String where) {
        if (!t.isOnce()) throw new IllegalArgumentException(where + ": must be a trigger that fires at most once (as triggers.ts requires), got " + t);
        return t;
    }

    /** Each transform as {kind 0 = delay, ms} or {kind 1 = alignTo, period, offset}. */
    private static long[][] transforms(JsonNode a, String where) {
        if (a == null || a.isNull()) return new long[0][];
        if (!a.isArray()) throw new IllegalArgumentException(where + ": an array, got " + a);
        long[][] out = new long[a.size()][];
        for (int i = 0; i < a.size(); i++) {
            JsonNode t = a.get(i);
            String k = t.path("kind").asText();
            if (k.equals("delay") && t.path("delayMillis").canConvertToLong() && t.get("delayMillis").asLong() >= 0) {
                out[i] = new long[] {0, t.get("delayMillis").asLong()};
            } else if (k.equals("alignTo") && t.path("periodMillis").canConvertToLong() && t.get("periodMillis").asLong() > 0) {
                out[i] = new long[] {1, t.get("periodMillis").asLong(), t.path("offsetMillis").asLong(0)};
            } else {
                throw new IllegalArgumentException(where + "[" + i + "]: expected {kind: delay, delayMillis >= 0} or {kind: alignTo, periodMillis > 0, offsetMillis}, got " + t);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the machine

    /** Fires at most once (Beam's OnceTriggerStateMachine). */
    boolean isOnce() {
        return false;
    }

    static boolean eowReached(Context c) {
        return c.inputWatermark() > c.windowMaxTimestamp();
    }

    /** Called for each element of the window, unless this node has finished. */
    final void invokeOnElement(Context c, State s) {
        if (!s.finished[id]) onElement(c, s);
    }

    abstract void onElement(Context c, State s);

    public abstract boolean shouldFire(Context c, State s);

    /** The pane fired: move on (finish, reset, transition). Only called when shouldFire. */
    public abstract void onFire(Context c, State s);

    /** Merges the states {@code from} of windows merged into one into {@code into} (cleared before). */
    abstract void onMerge(Context c, State into, List<State> from);

    /** Clears this subtree's own state (not its finished bits). */
    void clear(State s) {
        s.count[id] = 0;
        s.delayedUntil[id] = UNSET;
        for (Trigger t : subs) t.clear(s);
    }

    /** Clears this subtree's state and finished bits (Beam's resetTree). */
    void resetTree(State s) {
        s.finished[id] = false;
        s.count[id] = 0;
        s.delayedUntil[id] = UNSET;
        for (Trigger t : subs) t.resetTree(s);
    }

    public boolean isFinished(State s) {
        return s.finished[id];
    }

    static boolean finishedInAny(Trigger t, List<State> from) {
        for (State s : from) if (s.finished[t.id]) return true;
        return false;
    }

    static boolean finishedInAll(Trigger t, List<State> from) {
        for (State s : from) if (!s.finished[t.id]) return false;
        return true;
    }

    /** Processing-time timers this window's state is waiting for (to re-register after a merge). */
    void pendingTimers(State s, List<Long> out) {
        if (s.delayedUntil[id] != UNSET) out.add(s.delayedUntil[id]);
        for (Trigger t : subs) t.pendingTimers(s, out);
    }

    // ------------------------------------------------------------------ kinds

    /** Fires when the watermark passes the end of the window, then for every late pane; never finishes. */
    static final class DefaultT extends Trigger {
        DefaultT() {
            super(List.of());
        }

        @Override
        void onElement(Context c, State s) { }

        @Override
        public boolean shouldFire(Context c, State s) {
            return eowReached(c);
        }

        @Override
        public void onFire(Context c, State s) { }

        @Override
        void onMerge(Context c, State into, List<State> from) { }

        @Override
        public String toString() {
            return "DefaultTrigger";
        }
    }

    abstract static class OnceT extends Trigger {
        OnceT(List<Trigger> subs) {
            super(subs);
        }

        @Override
        boolean isOnce() {
            return true;
        }
    }

    /** AfterWatermark.pastEndOfWindow() alone: fires once at the end of the window. */
    static final class EndOfWindowT extends OnceT {
        EndOfWindowT() {
            super(List.of());
        }

        @Override
        void onElement(Context c, State s) { }

        @Override
        public boolean shouldFire(Context c, State s) {
            return eowReached(c);
        }

        @Override
        public void onFire(Context c, State s) {
            s.finished[id] = true;
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            // still in play if unfinished in some merging window (its elements have not fired)
            into.finished[id] = finishedInAll(this, from);
        }

        @Override
        public String toString() {
            return "AfterWatermark.pastEndOfWindow()";
        }
    }

    static final class NeverT extends OnceT {
        NeverT() {
            super(List.of());
        }

        @Override
        void onElement(Context c, State s) { }

        @Override
        public boolean shouldFire(Context c, State s) {
            return false;
        }

        @Override
        public void onFire(Context c, State s) {
            s.finished[id] = true;
        }

        @Override
        void onMerge(Context c, State into, List<State> from) { }

        @Override
        public String toString() {
            return "Never.ever()";
        }
    }

    /** AfterPane.elementCountAtLeast(n). */
    static final class CountT extends OnceT {
        final long n;

        CountT(long n) {
            super(List.of());
            this.n = n;
        }

        @Override
        void onElement(Context c, State s) {
            s.count[id]++;
        }

        @Override
        public boolean shouldFire(Context c, State s) {
            return s.count[id] >= n;
        }

        @Override
        public void onFire(Context c, State s) {
            s.finished[id] = true;
            s.count[id] = 0;
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            if (finishedInAny(this, from)) {
                into.finished[id] = true;
                return;
            }
            long sum = 0;
            for (State f : from) sum += f.count[id];
            into.count[id] = sum;
        }

        @Override
        public String toString() {
            return "AfterPane.elementCountAtLeast(" + n + ")";
        }
    }

    /** AfterProcessingTime.pastFirstElementInPane() with its delays and alignments (Beam's AfterDelayFromFirstElement). */
    static final class ProcessingTimeT extends OnceT {
        final long[][] transforms;

        ProcessingTimeT(long[][] transforms) {
            super(List.of());
            this.transforms = transforms;
        }

        long target(long now) {
            long t = now;
            for (long[] tr : transforms) {
                if (tr[0] == 0) {
                    t += tr[1];
                } else {
                    long period = tr[1], offset = tr[2];
                    long since = (t - offset) % period; // Beam's AlignTo: already aligned stays
                    t = since == 0 ? t : t + period - since;
                }
            }
            return t;
        }

        @Override
        void onElement(Context c, State s) {
            if (s.delayedUntil[id] == UNSET) {
                long t = target(c.processingTime());
                s.delayedUntil[id] = t;
                c.setProcessingTimer(t);
            }
        }

        @Override
        public boolean shouldFire(Context c, State s) {
            return s.delayedUntil[id] != UNSET && c.processingTime() >= s.delayedUntil[id];
        }

        @Override
        public void onFire(Context c, State s) {
            s.finished[id] = true;
            s.delayedUntil[id] = UNSET;
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            if (finishedInAny(this, from)) {
                into.finished[id] = true;
                return;
            }
            long min = UNSET;
            for (State f : from) if (f.delayedUntil[id] != UNSET && (min == UNSET || f.delayedUntil[id] < min)) min = f.delayedUntil[id];
            into.delayedUntil[id] = min;
            if (min != UNSET) c.setProcessingTimer(min);
        }

        @Override
        public String toString() {
            return "AfterProcessingTime" + java.util.Arrays.deepToString(transforms);
        }
    }

    /** AfterWatermark.pastEndOfWindow() with early (repeated until the end of the window) and late (repeated after it) firings. */
    static final class EarlyLateT extends Trigger {
        EarlyLateT(Trigger early, Trigger late) {
            super(late == null ? List.of(early) : List.of(early, late));
        }

        Trigger early() {
            return subs.get(0);
        }

        Trigger late() {
            return subs.size() > 1 ? subs.get(1) : null;
        }

        @Override
        void onElement(Context c, State s) {
            if (c.merging()) {
                // a merge may re-activate the early trigger: every subtrigger keeps track (Beam)
                for (Trigger t : subs) t.invokeOnElement(c, s);
            } else if (!s.finished[early().id]) {
                early().invokeOnElement(c, s);
            } else if (late() != null) {
                late().invokeOnElement(c, s);
            }
        }

        @Override
        public boolean shouldFire(Context c, State s) {
            if (!s.finished[early().id]) return early().shouldFire(c, s) || eowReached(c);
            return late() != null && late().shouldFire(c, s);
        }

        @Override
        public void onFire(Context c, State s) {
            if (!s.finished[early().id]) {
                if (!eowReached(c)) {
                    // an early firing: the early trigger repeats
                    early().onFire(c, s);
                    early().resetTree(s);
                } else {
                    // the end of the window: the early trigger is done for good
                    if (early().shouldFire(c, s)) early().onFire(c, s);
                    early().clear(s);
                    s.finished[early().id] = true;
                    if (late() == null) s.finished[id] = true;
                    else late().resetTree(s);
                }
            } else if (late() != null) {
                late().onFire(c, s);
                late().resetTree(s); // late firings repeat
            } else {
                s.finished[id] = true;
            }
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            if (!finishedInAll(early(), from) || !eowReached(c)) {
                // some merged window still waited for its on-time pane: the merged one does too
                early().onMerge(c, into, from);
                into.finished[early().id] = false;
                if (late() != null) late().resetTree(into);
            } else {
                into.finished[early().id] = true;
                if (late() != null) late().onMerge(c, into, from);
            }
        }

        @Override
        public String toString() {
            return "AfterWatermark.pastEndOfWindow().withEarlyFirings(" + early() + ")" + (late() == null ? "" : ".withLateFirings(" + late() + ")");
        }
    }

    /** Repeatedly.forever(t): fires as t does, resetting it each time t finishes. */
    static final class RepeatT extends Trigger {
        RepeatT(Trigger sub) {
            super(List.of(sub));
        }

        @Override
        void onElement(Context c, State s) {
            subs.get(0).invokeOnElement(c, s);
        }

        @Override
        public boolean shouldFire(Context c, State s) {
            return subs.get(0).shouldFire(c, s);
        }

        @Override
        public void onFire(Context c, State s) {
            Trigger sub = subs.get(0);
            sub.onFire(c, s);
            if (s.finished[sub.id]) sub.resetTree(s);
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            Trigger sub = subs.get(0);
            sub.onMerge(c, into, from);
            if (into.finished[sub.id]) sub.resetTree(into);
        }

        @Override
        public String toString() {
            return "Repeatedly.forever(" + subs.get(0) + ")";
        }
    }

    /** AfterFirst.of(...): fires once any subtrigger would. */
    static final class AnyT extends OnceT {
        AnyT(List<Trigger> subs) {
            super(subs);
        }

        @Override
        void onElement(Context c, State s) {
            for (Trigger t : subs) t.invokeOnElement(c, s);
        }

        @Override
        public boolean shouldFire(Context c, State s) {
            for (Trigger t : subs) if (t.shouldFire(c, s)) return true;
            return false;
        }

        @Override
        public void onFire(Context c, State s) {
            for (Trigger t : subs) {
                if (t.shouldFire(c, s)) t.onFire(c, s);
                else t.clear(s); // whatever pane it tracked is gone
            }
            s.finished[id] = true;
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            for (Trigger t : subs) t.onMerge(c, into, from);
            for (Trigger t : subs) if (into.finished[t.id]) into.finished[id] = true;
        }

        @Override
        public String toString() {
            return "AfterFirst.of" + subs;
        }
    }

    /** AfterAll.of(...): fires once every subtrigger has (finished ones count as fired). */
    static final class AllT extends OnceT {
        AllT(List<Trigger> subs) {
            super(subs);
        }

        @Override
        void onElement(Context c, State s) {
            for (Trigger t : subs) t.invokeOnElement(c, s);
        }

        @Override
        public boolean shouldFire(Context c, State s) {
            for (Trigger t : subs) if (!s.finished[t.id] && !t.shouldFire(c, s)) return false;
            return true;
        }

        @Override
        public void onFire(Context c, State s) {
            for (Trigger t : subs) if (!s.finished[t.id]) t.onFire(c, s);
            s.finished[id] = true;
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            boolean all = true;
            for (Trigger t : subs) {
                t.onMerge(c, into, from);
                all &= into.finished[t.id];
            }
            if (all) into.finished[id] = true;
        }

        @Override
        public String toString() {
            return "AfterAll.of" + subs;
        }
    }

    /** AfterEach.inOrder(...): fires as the first unfinished subtrigger; finishes after the last. */
    static final class EachT extends Trigger {
        EachT(List<Trigger> subs) {
            super(subs);
        }

        Trigger current(State s) {
            for (Trigger t : subs) if (!s.finished[t.id]) return t;
            return null;
        }

        @Override
        void onElement(Context c, State s) {
            if (c.merging()) {
                for (Trigger t : subs) t.invokeOnElement(c, s); // a merge may re-activate an earlier one (Beam)
                return;
            }
            Trigger t = current(s);
            if (t != null) t.invokeOnElement(c, s);
        }

        @Override
        public boolean shouldFire(Context c, State s) {
            Trigger t = current(s);
            return t != null && t.shouldFire(c, s);
        }

        @Override
        public void onFire(Context c, State s) {
            Trigger t = current(s);
            t.onFire(c, s);
            if (c.merging()) for (Trigger u : subs) if (!s.finished[u.id]) u.clear(s); // they ran in parallel: start afresh
            if (current(s) == null) s.finished[id] = true;
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            for (Trigger t : subs) t.onMerge(c, into, from);
            if (current(into) == null) into.finished[id] = true;
        }

        @Override
        public String toString() {
            return "AfterEach.inOrder" + subs;
        }
    }

    /** main.orFinally(until): fires as main does, and finishes for good when until fires. */
    static final class OrFinallyT extends Trigger {
        OrFinallyT(Trigger main, Trigger until) {
            super(List.of(main, until));
        }

        @Override
        void onElement(Context c, State s) {
            subs.get(0).invokeOnElement(c, s);
            subs.get(1).invokeOnElement(c, s);
        }

        @Override
        public boolean shouldFire(Context c, State s) {
            return subs.get(0).shouldFire(c, s) || subs.get(1).shouldFire(c, s);
        }

        @Override
        public void onFire(Context c, State s) {
            Trigger main = subs.get(0), until = subs.get(1);
            if (until.shouldFire(c, s)) {
                until.onFire(c, s);
                main.clear(s);
            } else {
                main.onFire(c, s); // until keeps what it tracks across firings
            }
            if (s.finished[main.id] || s.finished[until.id]) s.finished[id] = true;
        }

        @Override
        void onMerge(Context c, State into, List<State> from) {
            subs.get(0).onMerge(c, into, from);
            subs.get(1).onMerge(c, into, from);
            if (into.finished[subs.get(0).id] || into.finished[subs.get(1).id]) into.finished[id] = true;
        }

        @Override
        public String toString() {
            return subs.get(0) + ".orFinally(" + subs.get(1) + ")";
        }
    }
}
