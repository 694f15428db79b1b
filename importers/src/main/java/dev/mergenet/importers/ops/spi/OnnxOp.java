package dev.mergenet.importers.ops.spi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Registers the annotated converter for one op at the since_versions it implements. A class serving several
 * ops carries one annotation per op and a public constructor taking the op type; a class serving one op has a
 * public no-argument constructor. The class must also be listed in the converter index that
 * {@code OpRegistry.standard()} reads.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(OnnxOp.List.class)
public @interface OnnxOp {
    /** The op's domain; empty for the default ONNX domain (ai.onnx). */
    String domain() default "";

    String type();

    /** The since_versions of the spec this converter implements. */
    int[] since();

    /**
     * Other since_versions the spec defines for the op that this converter does not implement: models at those
     * opsets are reported as unsupported instead of resolving to a version with other semantics.
     */
    int[] unsupported() default {};

    /** The container of repeated {@link OnnxOp}s (written by the compiler). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        OnnxOp[] value();
    }
}
