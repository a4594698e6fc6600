package dev.flowbook.flink.windowing;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.metrics.MetricNames;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.plan.Windowing.AccumulationMode;
import dev.flowbook.flink.plan.Windowing.ClosingBehavior;
import dev.flowbook.flink.plan.Windowing.OnTimeBehavior;
import dev.flowbook.flink.runtime.Aggregation;
import dev.flowbook.flink.runtime.EncodedKeySelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Group-also-by-window over Flink's keyed state and timers: Beam's ReduceFnRunner, with its
 * WatermarkHold, PaneInfoTracker, MergingWindowSet and trigger state machines ({@link Trigger}).
 * Input: records of {@code KV<K, V>} (keyed by {@link EncodedKeySelector}; or un-keyed V with a
 * null key coder), already carrying their windows. Output: per key and window, a pane
 * {@code KV<K, agg(V...)>} (by default {@code Iterable<V>}), its pane info encoded as Beam's
 * PaneInfoCoder, its timestamp from the watermark hold (the timestamp combiner).
 *
 * <p><b>Time.</b> Flink's {@code Watermark(t)} says no element at or before t follows; Beam's
 * watermark t says none before t ({@link BeamTime} maps the two). So Beam's input watermark is
 * Flink's + 1, and the output watermark this operator emits is {@code min(input, earliest hold - 1)}: a pane at its hold's
 * timestamp is never behind the watermark that follows it. Event-time timers are set at Beam's
 * times (end of window = max timestamp, garbage collection = max timestamp + allowed lateness)
 * and fire when Flink's watermark reaches them, i.e. when Beam's passes them.
 *
 * <p><b>Processing time</b> is the wall clock, or in a TestStream job the job's
 * {@link SyntheticClock}: its timers are then kept here (not in Flink's timer service, which
 * runs on the wall clock) and fire when a checkpoint barrier passes after the clock advanced.
 *
 * <p><b>State</b> per key: one value (all of the key's windows: trigger state, pane info, holds,
 * whether closed) and per window a list of the value bytes (namespace = the window). Holds are
 * also counted in memory per subtask (rebuilt from the keyed state on restore).
 */
public class GroupAlsoByWindowOperator extends AbstractStreamOperator<byte[]>
        implements OneInputStreamOperator<byte[], byte[]>, Triggerable<String, String> {
    private static final long serialVersionUID = 1L;
    static final long UNSET = Long.MIN_VALUE;
    static final String META = "flowbook-gabw-windows";

    private final String step; // the transform's full name, for metrics
    private final CoderSpec keyCoder; // null: un-keyed (the key is "")
    private final Windowing windowing;
    private final Aggregation agg;
    private final String clockId; // null: processing time is the wall clock
    private final long clockStart;

    private transient Trigger trigger;
    private transient Windowing.Triggering trig;
    private transient ValueState<byte[]> meta;
    private transient ListStateDescriptor<byte[]> bufferDesc;
    private transient InternalTimerService<String> timers;
    private transient TreeMap<Long, Integer> holds;
    private transient long inputWm; // Flink's
    private transient long outputWm; // Flink's, last emitted
    private transient LongCounter droppedLate;
    private transient LongCounter droppedClosed;
    private transient java.util.concurrent.atomic.AtomicLong clock; // the TestStream job's synthetic clock
    private transient java.util.TreeSet<SyntheticTimer> syntheticTimers;
    private transient Set<SyntheticTimer> bundleWindows; // TestStream: (key, window) the open bundle touched

    /** A processing-time timer on the synthetic clock: time, key, window namespace. */
    record SyntheticTimer(long time, String key, String ns) implements Comparable<SyntheticTimer> {
        @Override
        public int compareTo(SyntheticTimer o) {
            int c = Long.compare(time, o.time);
            if (c == 0) c = key.compareTo(o.key);
            return c != 0 ? c : ns.compareTo(o.ns);
        }
    }

    public GroupAlsoByWindowOperator(String step, CoderSpec keyCoder, Windowing windowing, Aggregation agg) {
        this(step, keyCoder, windowing, agg, null, 0);
    }

    /** With {@code clockId}: processing time is that TestStream job's {@link SyntheticClock} (starting at {@code clockStart}). */
    public GroupAlsoByWindowOperator(String step, CoderSpec keyCoder, Windowing windowing, Aggregation agg, String clockId, long clockStart) {
        this.step = step;
        this.keyCoder = keyCoder;
        this.windowing = windowing;
        this.agg = agg == null ? new Aggregation.CollectValues() : agg;
        this.clockId = clockId;
        this.clockStart = clockStart;
    }

    /**
     * The operator on a stream keyed by {@link EncodedKeySelector} (what a translator calls):
     * {@code transform(keyed, "GroupByKey", keyCoder, windowing, null)} groups into Iterables.
     */
    public static org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator<byte[]> transform(
            org.apache.flink.streaming.api.datastream.KeyedStream<byte[], String> keyed, String step, CoderSpec keyCoder,
            Windowing windowing, Aggregation agg) {
        return transform(keyed, step, keyCoder, windowing, agg, null, 0);
    }

    /** As above; a non-null {@code clockId} runs processing time on that TestStream job's synthetic clock. */
    public static org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator<byte[]> transform(
            org.apache.flink.streaming.api.datastream.KeyedStream<byte[], String> keyed, String step, CoderSpec keyCoder,
            Windowing windowing, Aggregation agg, String clockId, long clockStart) {
        return keyed.transform(step, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                new GroupAlsoByWindowOperator(step, keyCoder, windowing, agg, clockId, clockStart));
    }

    /** The TS operator's counters' namespace (harness/gabw GABW_METRICS_NAMESPACE): result.metrics() shows the same names on both runners. */
    public static final String METRICS_NAMESPACE = "GroupAlsoByWindow";

    /** The accumulator names of the dropped-element counters (read back as user counters of the step, namespace GroupAlsoByWindow). */
    public static String droppedDueToLatenessName(String step) {
        return MetricNames.metric("counter", step, METRICS_NAMESPACE, "droppedDueToLateness");
    }

    public static String droppedDueToClosedWindowName(String step) {
        return MetricNames.metric("counter", step, METRICS_NAMESPACE, "droppedDueToClosedWindow");
    }

    public long droppedDueToLateness() {
        return droppedLate.getLocalValue();
    }

    public long droppedDueToClosedWindow() {
        return droppedClosed.getLocalValue();
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        holds = new TreeMap<>();
        loadedHolds = new ArrayList<>();
        inputWm = Long.MIN_VALUE;
        outputWm = Long.MIN_VALUE;
        trig = windowing.triggering();
        trigger = trig.triggerJson() == null ? Trigger.defaultTrigger() : Trigger.parse(Plan.JSON.readTree(trig.triggerJson()), step + ".trigger");
        meta = getPartitionedState(new ValueStateDescriptor<>(META, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        bufferDesc = new ListStateDescriptor<>("flowbook-gabw-values", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        if (context.isRestored()) {
            // the holds of every key's windows, so the output watermark stays held after a restore
            List<Object> keys = new ArrayList<>();
            getKeyedStateBackend().getKeys(META, VoidNamespace.INSTANCE).forEach(keys::add);
            for (Object k : keys) {
                setCurrentKey(k);
                for (WindowMeta m : load().values()) addHold(m.hold());
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService("flowbook-gabw-timers", StringSerializer.INSTANCE, this);
        droppedLate = getRuntimeContext().getLongCounter(droppedDueToLatenessName(step));
        droppedClosed = getRuntimeContext().getLongCounter(droppedDueToClosedWindowName(step));
        if (clockId != null) {
            clock = SyntheticClock.of(clockId, clockStart);
            syntheticTimers = new java.util.TreeSet<>();
            bundleWindows = new LinkedHashSet<>();
        }
    }

    // ------------------------------------------------------------------ times

    /** Beam's input watermark. */
    long beamWm() {
        return BeamTime.fromFlink(inputWm);
    }

    /** Beam's output watermark, or UNSET before the first one. */
    long beamOutputWm() {
        return BeamTime.fromFlink(outputWm);
    }

    /** Beam's LateDataUtils.garbageCollectionTime. */
    long gcTime(Windows.Window w) {
        long max = w.maxTimestamp();
        if (max > Windows.END_OF_GLOBAL_WINDOW - trig.allowedLatenessMs()) return Windows.END_OF_GLOBAL_WINDOW;
        return max + trig.allowedLatenessMs();
    }

    private void addHold(long h) {
        if (h != UNSET) holds.merge(h, 1, Integer::sum);
    }

    private void removeHold(long h) {
        if (h != UNSET) holds.computeIfPresent(h, (k, n) -> n == 1 ? null : n - 1);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        finishBundle();
        inputWm = Math.max(inputWm, mark.getTimestamp());
        if (timeServiceManager != null) timeServiceManager.advanceWatermark(mark); // fires the event-time timers
        emitWatermark();
    }

    private void emitWatermark() {
        long out = inputWm;
        if (!holds.isEmpty()) out = Math.min(out, BeamTime.toFlink(holds.firstKey()));
        if (out > outputWm) {
            outputWm = out;
            output.emitWatermark(new Watermark(out));
        }
    }

    // ------------------------------------------------------------------ per-key state

    /** One window of the current key: trigger state, last pane, holds. */
    static final class WindowMeta {
        final Windows.Window window;
        boolean closed; // the trigger finished: later elements are dropped until garbage collection
        long nonEmpty; // elements since the last pane
        PaneInfo lastPane;
        long elementHold = UNSET;
        long extraHold = UNSET; // the garbage-collection hold
        Trigger.State trig;

        WindowMeta(Windows.Window window, Trigger.State trig) {
            this.window = window;
            this.trig = trig;
        }

        long hold() {
            if (elementHold == UNSET) return extraHold;
            if (extraHold == UNSET) return elementHold;
            return Math.min(elementHold, extraHold);
        }
    }

    static String ns(Windows.Window w) {
        return w instanceof Windows.Interval iw ? iw.start() + "," + iw.end() : "global";
    }

    private transient List<Long> loadedHolds; // the holds of the current key's windows as load() read them

    private Map<String, WindowMeta> load() throws Exception {
        Map<String, WindowMeta> out = new LinkedHashMap<>();
        byte[] b = meta.value();
        if (b != null) {
            ByteIn in = new ByteIn(b);
            int n = in.readVarInt();
            for (int i = 0; i < n; i++) {
                WindowMeta m = decodeMeta(in);
                out.put(ns(m.window), m);
            }
        }
        loadedHolds.clear();
        for (WindowMeta m : out.values()) loadedHolds.add(m.hold());
        return out;
    }

    private void save(Map<String, WindowMeta> metas) throws Exception {
        for (long h : loadedHolds) removeHold(h);
        loadedHolds.clear();
        if (metas.isEmpty()) {
            meta.clear();
            return;
        }
        ByteOut o = new ByteOut(64);
        o.writeVarLong(metas.size());
        for (WindowMeta m : metas.values()) {
            encodeMeta(m, o);
            addHold(m.hold());
        }
        meta.update(o.toByteArray());
    }

    private void encodeMeta(WindowMeta m, ByteOut o) {
        if (m.window instanceof Windows.Interval iw) {
            o.writeByte(1).writeInt64BE(iw.start()).writeInt64BE(iw.end());
        } else {
            o.writeByte(0);
        }
        o.writeByte(m.closed ? 1 : 0);
        o.writeVarLong(m.nonEmpty);
        if (m.lastPane == null) o.writeByte(0);
        else {
            o.writeByte(1);
            m.lastPane.encode(o);
        }
        o.writeInt64BE(m.elementHold).writeInt64BE(m.extraHold);
        Trigger.State s = m.trig;
        for (int i = 0; i < s.size(); i++) {
            o.writeByte(s.finished[i] ? 1 : 0);
            o.writeVarLong(s.count[i]);
            o.writeInt64BE(s.delayedUntil[i]);
        }
    }

    private WindowMeta decodeMeta(ByteIn in) {
        Windows.Window w = in.readByte() == 1 ? new Windows.Interval(in.readInt64BE(), in.readInt64BE()) : Windows.GLOBAL;
        WindowMeta m = new WindowMeta(w, trigger.newState());
        m.closed = in.readByte() == 1;
        m.nonEmpty = in.readVarLong();
        if (in.readByte() == 1) m.lastPane = PaneInfo.decode(in);
        m.elementHold = in.readInt64BE();
        m.extraHold = in.readInt64BE();
        Trigger.State s = m.trig;
        for (int i = 0; i < s.size(); i++) {
            s.finished[i] = in.readByte() == 1;
            s.count[i] = in.readVarLong();
            s.delayedUntil[i] = in.readInt64BE();
        }
        return m;
    }

    private ListState<byte[]> buffer(Windows.Window w) throws Exception {
        return getPartitionedState(ns(w), StringSerializer.INSTANCE, bufferDesc);
    }

    private Trigger.Context ctx(WindowMeta m) {
        String ns = ns(m.window);
        return new Trigger.Context() {
            @Override
            public long windowMaxTimestamp() {
                return m.window.maxTimestamp();
            }

            @Override
            public long inputWatermark() {
                return beamWm();
            }

            @Override
            public long processingTime() {
                return clock != null ? clock.get() : timers.currentProcessingTime();
            }

            @Override
            public void setProcessingTimer(long time) {
                if (clock != null) syntheticTimers.add(new SyntheticTimer(time, (String) getCurrentKey(), ns));
                else timers.registerProcessingTimeTimer(ns, time);
            }

            @Override
            public boolean merging() {
                return windowing.merging();
            }
        };
    }

    // ------------------------------------------------------------------ elements

    @Override
    public void processElement(StreamRecord<byte[]> element) throws Exception {
        byte[] rec = element.getValue();
        WindowedValues.View v = new WindowedValues.View().parse(rec, windowing.windowCoder());
        ByteIn in = v.valueIn();
        if (keyCoder != null) keyCoder.skip(in);
        byte[] value = Arrays.copyOfRange(rec, in.pos, rec.length);
        long ts = v.timestamp;

        List<Windows.Window> live = new ArrayList<>();
        for (Windows.Window w : v.windows(windowing.windowCoder())) {
            // Beam's LateDataDroppingDoFnRunner: a window past its garbage-collection time takes nothing more
            if (gcTime(w) < beamWm()) droppedLate.add(1L);
            else live.add(w);
        }
        if (live.isEmpty()) return;

        Map<String, WindowMeta> metas = load();
        Map<Windows.Window, Windows.Window> mergedTo = windowing.merging() ? merge(metas, live) : Map.of();
        Set<String> touched = new LinkedHashSet<>();
        for (Windows.Window w : live) {
            Windows.Window t = mergedTo.getOrDefault(w, w);
            String key = ns(t);
            WindowMeta m = metas.get(key);
            if (m == null) {
                m = new WindowMeta(t, trigger.newState());
                metas.put(key, m);
            }
            if (m.closed) {
                droppedClosed.add(1L);
                continue;
            }
            touched.add(key);
            m.nonEmpty++;
            addElementHold(m, ts);
            buffer(t).add(value);
            trigger.invokeOnElement(ctx(m), m.trig);
            scheduleEndOfWindowOrGc(t);
        }
        if (clock != null) {
            // TestStream: one bundle per event (as the local runner and Beam's direct runner): fire at its end
            for (String key : touched) bundleWindows.add(new SyntheticTimer(0, (String) getCurrentKey(), key));
        } else {
            for (String key : touched) {
                WindowMeta m = metas.get(key);
                if (!m.closed && trigger.shouldFire(ctx(m), m.trig)) fire(m);
            }
        }
        save(metas);
        emitWatermark();
    }

    /** Ends the TestStream event's bundle: the windows it touched fire if their triggers say so (Beam's ReduceFnRunner after processElements). */
    private void finishBundle() throws Exception {
        if (bundleWindows == null || bundleWindows.isEmpty()) return;
        List<SyntheticTimer> ws = new ArrayList<>(bundleWindows);
        bundleWindows.clear();
        for (SyntheticTimer w : ws) {
            setCurrentKey(w.key());
            Map<String, WindowMeta> metas = load();
            WindowMeta m = metas.get(w.ns()); // null: merged into a window the bundle also touched, or collected
            if (m != null && !m.closed && trigger.shouldFire(ctx(m), m.trig)) fire(m);
            save(metas);
        }
        emitWatermark();
    }

    private void scheduleEndOfWindowOrGc(Windows.Window w) {
        long eow = w.maxTimestamp();
        timers.registerEventTimeTimer(ns(w), eow < beamWm() ? gcTime(w) : eow);
    }

    /**
     * Session merging (Beam's MergingActiveWindowSet + ReduceFnRunner.onMerge): the new windows
     * and the key's open windows that overlap become their span; the merged windows' values move
     * to it, their holds and trigger states merge. Closed windows take no part. Returns where each
     * new window went.
     */
    private Map<Windows.Window, Windows.Window> merge(Map<String, WindowMeta> metas, List<Windows.Window> fresh) throws Exception {
        List<Windows.Interval> all = new ArrayList<>();
        Set<Windows.Window> seen = new java.util.HashSet<>();
        for (WindowMeta m : metas.values()) if (!m.closed && seen.add(m.window)) all.add((Windows.Interval) m.window);
        for (Windows.Window w : fresh) {
            WindowMeta existing = metas.get(ns(w));
            if ((existing == null || !existing.closed) && seen.add(w)) all.add((Windows.Interval) w);
        }
        Map<Windows.Window, Windows.Window> out = new HashMap<>();
        for (Windows.Overlap o : Windows.overlaps(all)) {
            if (o.members().size() < 2) continue;
            for (Windows.Interval w : o.members()) out.put(w, o.span());
            mergeInto(metas, o.members(), o.span());
        }
        return out;
    }

    private void mergeInto(Map<String, WindowMeta> metas, List<Windows.Interval> group, Windows.Interval into) throws Exception {
        List<WindowMeta> sources = new ArrayList<>();
        for (Windows.Interval w : group) {
            WindowMeta m = metas.get(ns(w));
            if (m != null) sources.add(m);
        }
        if (sources.isEmpty() || (sources.size() == 1 && sources.get(0).window.equals(into))) return;
        WindowMeta r = new WindowMeta(into, trigger.newState());
        List<Trigger.State> states = new ArrayList<>();
        ListState<byte[]> target = null;
        List<byte[]> moved = new ArrayList<>();
        for (WindowMeta s : sources) {
            states.add(s.trig);
            r.nonEmpty += s.nonEmpty;
            if (s.window.equals(into)) r.lastPane = s.lastPane; // panes of merged-away windows are forgotten: a new window starts fresh
            if (s.elementHold != UNSET) {
                r.elementHold = switch (windowing.timestampCombiner()) {
                    case END_OF_WINDOW -> into.maxTimestamp();
                    case EARLIEST -> r.elementHold == UNSET ? s.elementHold : Math.min(r.elementHold, s.elementHold);
                    case LATEST -> Math.max(r.elementHold, s.elementHold);
                };
            }
            if (s.extraHold != UNSET) r.extraHold = gcTime(into);
            if (!s.window.equals(into)) {
                ListState<byte[]> b = buffer(s.window);
                Iterable<byte[]> vs = b.get();
                if (vs != null) for (byte[] x : vs) moved.add(x);
                b.clear();
                timers.deleteEventTimeTimer(ns(s.window), s.window.maxTimestamp());
                timers.deleteEventTimeTimer(ns(s.window), gcTime(s.window));
                metas.remove(ns(s.window));
            }
        }
        if (!moved.isEmpty()) {
            target = buffer(into);
            target.addAll(moved);
        }
        trigger.onMerge(ctx(r), r.trig, states);
        metas.put(ns(into), r);
        scheduleEndOfWindowOrGc(into);
    }

    // ------------------------------------------------------------------ holds (Beam's WatermarkHold)

    private void addElementHold(WindowMeta m, long ts) {
        long eow = m.window.maxTimestamp();
        long hold = windowing.timestampCombiner() == Windowing.TimestampCombiner.END_OF_WINDOW ? eow : ts;
        long out = beamOutputWm();
        boolean tooLate = (out != Long.MIN_VALUE && hold < out) || eow < beamWm();
        if (!tooLate) {
            m.elementHold = m.elementHold == UNSET ? hold : switch (windowing.timestampCombiner()) {
                case END_OF_WINDOW -> eow;
                case EARLIEST -> Math.min(m.elementHold, hold);
                case LATEST -> Math.max(m.elementHold, hold);
            };
        } else {
            addGcHold(m, false);
        }
    }

    private void addGcHold(WindowMeta m, boolean paneIsEmpty) {
        if (trig.allowedLatenessMs() <= 0) return;
        if (paneIsEmpty && trig.closingBehavior() == ClosingBehavior.FIRE_IF_NON_EMPTY) return;
        long gc = gcTime(m.window);
        if (gc < beamWm()) return;
        m.extraHold = gc;
    }

    /** Releases the window's holds; the pane's timestamp is the earliest of them (the end of the window if none or later). */
    private long extractAndRelease(WindowMeta m, boolean isFinished) {
        long old = m.hold();
        if (old == UNSET || old > m.window.maxTimestamp()) old = m.window.maxTimestamp();
        m.elementHold = UNSET;
        m.extraHold = UNSET;
        if (!isFinished) addGcHold(m, true);
        return old;
    }

    // ------------------------------------------------------------------ firing (Beam's emit / onTrigger)

    /** The trigger fired: output the pane, then discard or keep the values, close the window if the trigger finished. */
    private void fire(WindowMeta m) throws Exception {
        trigger.onFire(ctx(m), m.trig);
        boolean finished = trigger.isFinished(m.trig);
        boolean discard = finished || trig.accumulationMode() == AccumulationMode.DISCARDING;
        onTrigger(m, finished);
        m.nonEmpty = 0;
        if (discard) buffer(m.window).clear();
        if (finished) {
            m.closed = true;
            m.lastPane = null;
            m.trig = trigger.newState();
        }
    }

    private void onTrigger(WindowMeta m, boolean isFinished) throws Exception {
        long ts = extractAndRelease(m, isFinished);
        boolean isEmpty = m.nonEmpty == 0;
        if (isEmpty && trig.closingBehavior() == ClosingBehavior.FIRE_IF_NON_EMPTY && trig.onTimeBehavior() == OnTimeBehavior.FIRE_IF_NON_EMPTY) return;
        PaneInfo pane = describePane(m, isFinished);
        boolean emit = !isEmpty
                || (trig.closingBehavior() == ClosingBehavior.FIRE_ALWAYS && isFinished)
                || (trig.onTimeBehavior() == OnTimeBehavior.FIRE_ALWAYS && pane.timing() == PaneInfo.Timing.ON_TIME);
        if (!emit) return;
        m.lastPane = pane;
        Object acc = agg.newAccumulator();
        Iterable<byte[]> vs = buffer(m.window).get();
        if (vs != null) for (byte[] x : vs) acc = agg.add(acc, x, 0, x.length);
        ByteOut o = new ByteOut(64);
        Windows.writeInstant(ts, o);
        o.writeInt32BE(1);
        windowing.windowCoder().write(m.window, o);
        pane.encode(o);
        if (keyCoder != null) o.write(EncodedKeySelector.keyBytes((String) getCurrentKey()));
        agg.writeOutput(acc, o);
        output.collect(new StreamRecord<>(o.toByteArray(), ts));
    }

    /** Beam's PaneInfoTracker.describePane. */
    private PaneInfo describePane(WindowMeta m, boolean isFinal) {
        PaneInfo prev = m.lastPane;
        boolean isFirst = prev == null;
        long index = isFirst ? 0 : prev.index() + 1;
        long onTimeIndex = isFirst ? 0 : prev.onTimeIndex() + 1;
        long eow = m.window.maxTimestamp();
        long out = beamOutputWm();
        boolean lateForOutput = out != Long.MIN_VALUE && eow < out;
        boolean onlyEarlySoFar = prev == null || prev.timing() == PaneInfo.Timing.EARLY;
        boolean earlyForInput = !(beamWm() > eow);
        PaneInfo.Timing timing;
        if (lateForOutput || !onlyEarlySoFar) {
            timing = PaneInfo.Timing.LATE;
        } else if (earlyForInput) {
            timing = PaneInfo.Timing.EARLY;
            onTimeIndex = -1;
        } else {
            timing = PaneInfo.Timing.ON_TIME;
        }
        return PaneInfo.create(isFirst, isFinal, timing, index, onTimeIndex);
    }

    // ------------------------------------------------------------------ timers

    @Override
    public void onEventTime(InternalTimer<String, String> timer) throws Exception {
        Map<String, WindowMeta> metas = load();
        WindowMeta m = metas.get(timer.getNamespace());
        if (m == null) return; // a window merged away or already collected
        long t = timer.getTimestamp();
        boolean isEow = t == m.window.maxTimestamp();
        // Beam's WindowActivation (and the TS operator): garbage collection is decided by the watermark, not by
        // which timer fired, so a watermark leaping past the end of the window and its lateness gives one final pane.
        boolean isGc = beamWm() > gcTime(m.window);
        if (isGc) {
            // the final pane (ON_TIME if no on-time pane fired yet), then all of the window's state goes
            if (!m.closed) onTrigger(m, true);
            buffer(m.window).clear();
            metas.remove(timer.getNamespace());
            if (t != gcTime(m.window)) timers.deleteEventTimeTimer(timer.getNamespace(), gcTime(m.window));
        } else {
            if (!m.closed && trigger.shouldFire(ctx(m), m.trig)) fire(m);
            if (isEow) timers.registerEventTimeTimer(timer.getNamespace(), gcTime(m.window));
        }
        save(metas);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, String> timer) throws Exception {
        processingTimer(timer.getNamespace());
    }

    /**
     * TestStream jobs: the processing-time timers that the synthetic clock's last advance made
     * due fire before the checkpoint barrier passes (the source waits for that checkpoint before
     * its next event, so their panes are processed downstream first).
     */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        finishBundle();
        if (clock != null) {
            SyntheticClock.checkSourceInThisJvm(clockId, step);
            long now = clock.get();
            while (!syntheticTimers.isEmpty() && syntheticTimers.first().time() <= now) {
                SyntheticTimer t = syntheticTimers.pollFirst();
                setCurrentKey(t.key());
                processingTimer(t.ns());
            }
        }
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    private void processingTimer(String ns) throws Exception {
        Map<String, WindowMeta> metas = load();
        WindowMeta m = metas.get(ns);
        if (m == null || m.closed) return;
        if (trigger.shouldFire(ctx(m), m.trig)) {
            fire(m);
            save(metas);
            emitWatermark();
        }
    }
}
