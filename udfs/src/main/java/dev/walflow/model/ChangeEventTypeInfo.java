package dev.walflow.model;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/** Flink's type information for {@link ChangeEvent}: serialized by {@link ChangeEventSerializer}. */
public final class ChangeEventTypeInfo extends TypeInformation<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    public static final ChangeEventTypeInfo INSTANCE = new ChangeEventTypeInfo();

    /** Named on {@link ChangeEvent} so that every {@code TypeInformation.of(ChangeEvent.class)} finds it. */
    public static final class Factory extends TypeInfoFactory<ChangeEvent> {
        @Override
        public TypeInformation<ChangeEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<ChangeEvent> getTypeClass() {
        return ChangeEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<ChangeEvent> createSerializer(ExecutionConfig config) {
        return new ChangeEventSerializer();
    }

    @Override
    public String toString() {
        return "ChangeEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return ChangeEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof ChangeEventTypeInfo;
    }
}
