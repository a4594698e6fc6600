package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;

/** {@code usercode}: a fused chain of user transforms run by a Node worker per subtask. */
public final class UserCodeTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        throw op.error("not implemented yet");
    }

    static void translateCombine(OperatorSpec op, TranslationContext ctx) {
        throw op.error("not implemented yet");
    }
}
