package dev.mergenet.transfer.app;

import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.transfer.selection.HostTensor;
import dev.mergenet.transfer.selection.LayerGraph;
import dev.mergenet.transfer.selection.SourceWeights;
import dev.mergenet.transfer.selection.TargetInitializers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The random-teacher control of distillation (--teacher random): a teacher model with every Conv, Gemm/MatMul and
 * norm tensor re-initialized as a fresh PyTorch module, running statistics included, by the rule the selection-reinit
 * control uses ({@link SourceWeights#reinitialized}); the graph is unchanged.
 */
public final class RandomTeacher {
    private RandomTeacher() {}

    /**
     * The re-initialized model and what was left as it was.
     *
     * @param model         the teacher with its layers re-initialized
     * @param reinitialized the number of tensors drawn afresh
     * @param kept          float tensors of no Conv, Gemm/MatMul or norm layer, left as trained (named)
     */
    public record Reinitialized(OnnxModel model, int reinitialized, List<String> kept) {}

    /** The teacher's seed: the run's for the first teacher, a distinct one for each further --source teacher. */
    public static long seed(long runSeed, int teacherIndex) {
        // teacher 0 uses the run's seed itself, so it equals an independent re-initialization with that seed
        return teacherIndex == 0 ? runSeed : runSeed ^ (teacherIndex * 0x9E3779B97F4A7C15L);
    }

    /** {@code teacher} with every layer re-initialized from {@code seed}. */
    public static Reinitialized of(OnnxModel teacher, long seed) {
        // tensors an exporter merged (an Identity of one initializer) become each layer's own, as the importer does
        OnnxModel untied = TargetInitializers.untied(teacher).model();
        Map<String, HostTensor> trained = SourceWeights.read(untied);
        Map<String, HostTensor> fresh = SourceWeights.reinitialized(LayerGraph.of(untied), trained, seed);
        Map<String, HostTensor> changed = new LinkedHashMap<>();
        List<String> kept = new ArrayList<>();
        for (Map.Entry<String, HostTensor> e : fresh.entrySet()) {
            if (e.getValue() != trained.get(e.getKey())) {
                changed.put(e.getKey(), e.getValue());
            } else {
                kept.add(e.getKey());
            }
        }
        return new Reinitialized(TargetInitializers.apply(untied, changed), changed.size(), List.copyOf(kept));
    }

    /** One log line, e.g. "teacher: random (S.onnx re-initialized as a fresh model, seed 0: 40 tensors; kept: none)". */
    public static String describe(String origin, long seed, Reinitialized r) {
        return "teacher: random (" + origin + " re-initialized as a fresh model, seed " + seed + ": "
                + r.reinitialized() + " tensors, running statistics reset; kept as trained: "
                + (r.kept().isEmpty() ? "none" : String.join(", ", r.kept())) + ")";
    }
}
