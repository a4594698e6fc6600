package dev.flowbook.flink.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.plan.InputSpec;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.worker.Frames;
import dev.flowbook.flink.worker.UserCodeOperator;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** {@code usercode}: a fused chain of user transforms run by a Node worker per subtask; extra outputs are side outputs. */
public final class UserCodeTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        String stage = op.requireString("stage");
        JsonNode sideSpecs = op.field("sideInputs");
        List<String> sideTags = new ArrayList<>();
        if (sideSpecs.isArray()) sideSpecs.forEach(s -> sideTags.add(s.path("tag").asText("side" + sideTags.size())));
        if (sideTags.size() != op.inputs().size() - 1) {
            throw op.error("has " + (op.inputs().size() - 1) + " side input(s) in inputs[1..] but " + sideTags.size() + " in payload.sideInputs");
        }
        if (op.outputs().isEmpty()) throw op.error("a usercode operator needs at least one output tag");
        List<DataStream<byte[]>> sides = new ArrayList<>();
        for (int i = 1; i < op.inputs().size(); i++) {
            if (!InputSpec.BROADCAST.equals(op.inputs().get(i).ship())) throw op.error("side input inputs[" + i + "] must ship by broadcast");
            sides.add(ctx.raw(op, i));
        }
        SingleOutputStreamOperator<byte[]> main = build(ctx, op, ctx.input(op, 0), sides, stage, sideTags, op.outputs(), op.name(), "");
        ctx.setOutput(op, op.outputs().get(0), main);
        for (int i = 1; i < op.outputs().size(); i++) {
            ctx.setOutput(op, op.outputs().get(i), main.getSideOutput(UserCodeOperator.tag(op.outputs().get(i))));
        }
    }

    static SingleOutputStreamOperator<byte[]> build(TranslationContext ctx, OperatorSpec op, DataStream<byte[]> main, List<DataStream<byte[]>> sides,
                                                    String stageId, List<String> sideTags, List<String> outputs, String name, String uidPart) {
        JsonNode stage = ctx.plan.stages().get(stageId);
        if (stage == null) throw op.error("stage '" + stageId + "' is not in plan.stages");
        ObjectNode hello = Plan.JSON.createObjectNode();
        hello.put("protocol", Frames.PROTOCOL);
        hello.put("jobName", ctx.plan.jobName());
        hello.put("operatorId", op.id());
        hello.put("operatorName", name);
        ArrayNode tr = hello.putArray("transforms");
        op.transforms().forEach(tr::add);
        hello.put("stageId", stageId);
        hello.set("stage", stage);
        ArrayNode outs = hello.putArray("outputs");
        outputs.forEach(outs::add);
        ArrayNode si = hello.putArray("sideInputs");
        sideTags.forEach(t -> si.addObject().put("tag", t));
        hello.put("runtimeMode", ctx.plan.runtimeMode());
        String label = "operator " + op.id() + " (" + name + ")";
        int par = ctx.parallelism(op);
        UserCodeOperator.ConsoleSpec console = new UserCodeOperator.ConsoleSpec(ctx.accumulatorId(op, uidPart), ctx.consoleBytesPerSubtask());
        SingleOutputStreamOperator<byte[]> out;
        if (sides.isEmpty()) {
            out = main.transform(name, TranslationContext.RECORD,
                    new UserCodeOperator.OneInput(hello.toString(), outputs, ctx.plan.worker(), ctx.plan.isBatch(), label, console));
        } else {
            DataStream<byte[]> side = null;
            for (int i = 0; i < sides.size(); i++) {
                DataStream<byte[]> tagged = sides.get(i).map(new PrefixIndex(i), TranslationContext.RECORD)
                        .name(name + "/SideInput" + i).uid(ctx.uid(op, uidPart + "SideInput" + i)).setParallelism(sides.get(i).getParallelism());
                side = side == null ? tagged : side.union(tagged);
            }
            out = main.connect(side.broadcast()).transform(name, TranslationContext.RECORD,
                    UserCodeOperator.withSideInputs(hello.toString(), outputs, ctx.plan.worker(), ctx.plan.isBatch(), label, console));
        }
        return out.uid(ctx.uid(op, uidPart)).setParallelism(par);
    }

    /** Side-input records travel with their side-input index in front (a varint). */
    static final class PrefixIndex implements MapFunction<byte[], byte[]> {
        private static final long serialVersionUID = 1L;
        private final int index;

        PrefixIndex(int index) {
            this.index = index;
        }

        @Override
        public byte[] map(byte[] rec) {
            ByteOut o = new ByteOut(rec.length + 2);
            o.writeVarLong(index).write(rec);
            return o.toByteArray();
        }
    }

    /** {@code combine} in usercode mode: usercode(preStage) → group_by_key → usercode(mergeStage). */
    static void translateCombine(OperatorSpec op, TranslationContext ctx) {
        String pre = op.requireString("preStage");
        String merge = op.requireString("mergeStage");
        if (!op.optBool("keyed", true)) throw op.error("keyed: false is not supported in usercode mode (key by a constant in the stages)");
        CoderSpec keyCoder = op.coder("keyCoder");
        Windowing windowing = op.windowing();
        DataStream<byte[]> in = ctx.raw(op, 0);
        DataStream<byte[]> partial = build(ctx, op, in, List.of(), pre, List.of(), List.of("main"), op.name() + "/PreCombine", "PreCombine")
                .setParallelism(in.getParallelism());
        DataStream<byte[]> grouped = GroupByKeyTranslator.build(ctx, partial, op.name() + "/GroupAccumulators", ctx.uid(op, "GroupAccumulators"),
                keyCoder, windowing, ctx.parallelism(op));
        DataStream<byte[]> out = build(ctx, op, grouped, List.of(), merge, List.of(), List.of("main"), op.name() + "/Merge", "Merge");
        ctx.setOutput(op, "main", out);
    }
}
