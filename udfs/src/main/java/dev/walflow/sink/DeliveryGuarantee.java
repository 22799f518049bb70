package dev.walflow.sink;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

import static org.apache.flink.configuration.description.TextElement.text;

/** What a sink promises after a failure. */
public enum DeliveryGuarantee implements DescribedEnum {
    EXACTLY_ONCE(
            "Each checkpoint's changes are committed with two-phase commit when the checkpoint completes; a replay changes nothing."),
    AT_LEAST_ONCE(
            "Changes are written as batches fill and before each checkpoint; a replay after a failure writes some rows again, and every target converges to the source.");

    private final String description;

    DeliveryGuarantee(String description) {
        this.description = description;
    }

    @Override
    public InlineElement getDescription() {
        return text(description);
    }
}
