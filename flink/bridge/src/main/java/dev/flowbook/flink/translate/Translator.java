package dev.flowbook.flink.translate;

import dev.flowbook.flink.plan.OperatorSpec;

/**
 * Turns one plan operator into Flink DataStream operators: reads its inputs from the
 * context and registers its outputs there. One translator per operator kind, registered in
 * {@link JobBuilder}.
 */
public interface Translator {
    void translate(OperatorSpec op, TranslationContext ctx);
}
