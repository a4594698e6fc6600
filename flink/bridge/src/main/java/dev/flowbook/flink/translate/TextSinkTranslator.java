package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;

/** {@code sink:text}. */
public final class TextSinkTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        throw op.error("not implemented yet");
    }
}
