package dev.mergenet.importers.ops.tensor;

import static dev.mergenet.importers.testing.Models.stringAttr;

import dev.mergenet.importers.testing.OrtCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Seeded random Slice bounds/steps and Pad amounts/modes (crops included), against ONNX Runtime. */
class SliceAndPadSweepTest {
    private static final long[] DIMS = {5, 6, 4};

    static Stream<Arguments> slices() {
        Random rnd = new Random(11);
        List<Arguments> out = new ArrayList<>();
        for (int c = 0; c < 40; c++) {
            int n = 1 + rnd.nextInt(3);
            List<Long> axes = new ArrayList<>(List.of(0L, 1L, 2L));
            Collections.shuffle(axes, rnd);
            long[] ax = new long[n];
            long[] st = new long[n];
            long[] en = new long[n];
            long[] sp = new long[n];
            for (int i = 0; i < n; i++) {
                long d = DIMS[axes.get(i).intValue()];
                ax[i] = rnd.nextBoolean() ? axes.get(i) : axes.get(i) - 3;
                st[i] = rnd.nextInt((int) (3 * d)) - d - 2;
                sp[i] = (1 + rnd.nextInt(3)) * (rnd.nextBoolean() ? 1 : -1);
                // the open-ended idiom: INT64_MAX forwards, INT64_MIN backwards
                en[i] = rnd.nextInt(8) == 0
                        ? (sp[i] > 0 ? Long.MAX_VALUE : Long.MIN_VALUE)
                        : rnd.nextInt((int) (3 * d)) - d - 2;
            }
            out.add(Arguments.of(
                    Arrays.toString(st) + ":" + Arrays.toString(en) + ":" + Arrays.toString(sp) + " axes "
                            + Arrays.toString(ax),
                    st,
                    en,
                    ax,
                    sp));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slices")
    void sliceMatchesOnnxRuntime(String name, long[] starts, long[] ends, long[] axes, long[] steps) {
        int n = starts.length;
        OneNodeModel m = OneNodeModel.of("Slice")
                .float32()
                .data("x", DIMS)
                .longs("st", starts, n)
                .longs("en", ends, n)
                .longs("ax", axes, n)
                .longs("sp", steps, n);
        OrtCheck.assertMatchesOrt(m.model(13), m.inputs(), 0, 0);
    }

    static Stream<Arguments> pads() {
        Random rnd = new Random(5);
        List<Arguments> out = new ArrayList<>();
        for (String mode : new String[] {"constant", "reflect", "edge", "wrap"}) {
            for (int c = 0; c < 8; c++) {
                long[] p = new long[6];
                for (int i = 0; i < 6; i++) {
                    long d = DIMS[i % 3];
                    // reflect cannot pad beyond size-1 (of the cropped axis), and ONNX Runtime's wrap expects
                    // pads within the size
                    long max = mode.equals("reflect") ? d - 2 : d - 1;
                    p[i] = rnd.nextInt((int) max + 2) - 1;
                }
                out.add(Arguments.of(mode + " " + Arrays.toString(p), mode, p));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pads")
    void padMatchesOnnxRuntime(String name, String mode, long[] pads) {
        OneNodeModel m = OneNodeModel.of("Pad", stringAttr("mode", mode))
                .float32()
                .data("x", DIMS)
                .longs("p", pads, 6);
        OrtCheck.assertMatchesOrt(m.model(19), m.inputs(), 0, 0);
    }
}
