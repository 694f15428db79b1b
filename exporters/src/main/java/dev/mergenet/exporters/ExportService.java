package dev.mergenet.exporters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.mergenet.exporters.deploy.Deployment;
import dev.mergenet.exporters.edit.ClassifierHead;
import dev.mergenet.exporters.edit.FoldNormalization;
import dev.mergenet.importers.edit.RestoreNormalization;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.writeback.WeightWriteBack;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one way a model file is exported, whoever asks (the CLI's {@code export}, {@code train} and
 * {@code transfer}, the Java API): read the original model, re-head it if asked, write trained values in, convert
 * to fp16 if asked, declare the trained input shape or embed the preprocessing, stamp class names, model card and
 * lineage, and write it (atomically, never over an input or its data files, an existing output only with force,
 * external data when asked or needed).
 */
public final class ExportService {
    private ExportService() {}

    /**
     * One export. {@code head}, {@code lineage} and {@code expectedSha256} may be null; {@code trained} (by ONNX
     * tensor name, from an imported block or a checkpoint) may be empty; {@code trainedFrom} names where the
     * trained values came from, for messages.
     */
    public record Request(Path input, TrainingCheckpoint.HeadEdit head, Map<String, NDArray> trained,
                          String trainedFrom, String expectedSha256, Lineage lineage, Deployment deployment,
                          Path output, WriteOptions write, Precision precision, NormEdit norm) {
        public Request {
            norm = norm == null ? NormEdit.NONE : norm;
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(output, "output");
            trained = trained == null ? Map.of() : trained;
            deployment = deployment == null ? Deployment.NONE : deployment;
            write = write == null ? WriteOptions.defaults() : write;
            precision = precision == null ? Precision.FP32 : precision;
        }

        /** The model as it is (a round trip), to {@code output}. */
        public static Request of(Path input, Path output) {
            return new Request(input, null, Map.of(), null, null, null, Deployment.NONE, output,
                    WriteOptions.defaults(), Precision.FP32, NormEdit.NONE);
        }

        /** A fresh classifier head for {@code numClasses}, drawn with {@code seed}. */
        public Request withHead(TrainingCheckpoint.HeadEdit h) {
            return new Request(input, h, trained, trainedFrom, expectedSha256, lineage, deployment, output, write,
                    precision, norm);
        }

        /** Trained values by ONNX tensor name (e.g. a training run's current weights and statistics). */
        public Request withTrained(Map<String, NDArray> values, String from) {
            return new Request(input, head, values, from, expectedSha256, lineage, deployment, output, write,
                    precision, norm);
        }

        /** Every parameter of an imported graph (weights and BatchNorm statistics) as the trained values. */
        public Request withTrained(OnnxGraphBlock block) {
            Map<String, NDArray> values = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : block.onnxParameters().entrySet()) {
                values.put(e.getKey(), e.getValue().getArray());
            }
            return withTrained(values, block.model().origin());
        }

        /**
         * A checkpoint's model section, head edit, input adaptation (embedded in the graph when
         * {@code embedPreprocessing}), class names and lineage. An explicit head set before must agree with the
         * checkpoint's.
         */
        public Request withCheckpoint(Path file, TrainingCheckpoint.Contents c, boolean embedPreprocessing) {
            TrainingCheckpoint.Header h = c.header();
            if (h.modelSha256() == null) {
                throw new MergeNetException(file + ": checkpoint does not name the model it was trained from (no"
                        + " SHA-256); it cannot be exported");
            }
            if (head != null && (h.head() == null || h.head().numClasses() != head.numClasses())) {
                throw new MergeNetException(file + ": checkpoint was trained with "
                        + (h.head() == null ? "the original head" : h.head().numClasses() + " classes")
                        + " but the export asks for " + head.numClasses() + " classes (--num-classes)");
            }
            if (embedPreprocessing && h.input() == null) {
                throw new MergeNetException(file + ": checkpoint records no input adaptation; nothing to embed"
                        + " (--embed-preprocessing)");
            }
            Deployment d = new Deployment(h.input(), embedPreprocessing, h.classNames());
            // a run with --restore-norm trained tensors the restore edit names; --fold-norm stays the caller's choice
            boolean restored = c.model().keySet().stream().anyMatch(k -> k.contains(RestoreNormalization.MARK));
            return new Request(input, h.head(), c.model(), file.toString(), h.modelSha256(), h.lineage(), d, output,
                    write, precision, new NormEdit(restored, norm.fold() && restored));
        }

        public Request withLineage(Lineage l) {
            return new Request(input, head, trained, trainedFrom, expectedSha256, l, deployment, output, write,
                    precision, norm);
        }

        public Request withDeployment(Deployment d) {
            return new Request(input, head, trained, trainedFrom, expectedSha256, lineage, d, output, write,
                    precision, norm);
        }

        public Request withWrite(WriteOptions w) {
            return new Request(input, head, trained, trainedFrom, expectedSha256, lineage, deployment, output, w,
                    precision, norm);
        }

        /** BatchNormalizations put back after folded Convs in training (--restore-norm), kept or folded again. */
        public Request withNorm(NormEdit n) {
            return new Request(input, head, trained, trainedFrom, expectedSha256, lineage, deployment, output, write,
                    precision, n);
        }

        /** --fold-norm: fold the BatchNormalizations a --restore-norm run put back into their Convs again. */
        public Request withFoldNorm(boolean fold) {
            return withNorm(new NormEdit(norm.restore(), fold));
        }

        public Request withPrecision(Precision p) {
            return new Request(input, head, trained, trainedFrom, expectedSha256, lineage, deployment, output, write,
                    p, norm);
        }
    }

    /**
     * The normalization edit of a --restore-norm run: {@code restore} puts the BatchNormalizations back as training
     * did (their trained values are then written), {@code fold} folds them into their Convs afterwards (--fold-norm).
     */
    public record NormEdit(boolean restore, boolean fold) {
        public static final NormEdit NONE = new NormEdit(false, false);

        public NormEdit {
            if (fold && !restore) {
                throw new MergeNetException("--fold-norm folds the BatchNormalizations --restore-norm put back; pass both");
            }
        }
    }

    /** What was written. */
    public record Result(OnnxFileWriter.Written file, int changedTensors, Lineage lineage) {}

    /**
     * Fails now if the request could not be written (output is an input or exists without force, its data file
     * exists without force, folder missing or read-only): callers check before a long training run.
     */
    public static void checkOutput(Request r) {
        if (!Files.isRegularFile(r.input())) {
            throw new MergeNetException(r.input() + ": no such model file");
        }
        WriteOptions options = r.write().withInputs(List.of(r.input()));
        Path out = r.output().toAbsolutePath().normalize();
        OnnxFileWriter.checkTarget(r.output(), out, options);
        if (options.externalData()) {
            Path data = out.resolveSibling(out.getFileName() + ".data");
            OnnxFileWriter.checkTarget(data, data, options);
        }
    }

    public static Result export(Request r) {
        checkOutput(r);
        WriteOptions options = r.write().withInputs(List.of(r.input()));
        OnnxModel model = OnnxModelReader.read(r.input());
        String sha = ModelHash.sha256(r.input());
        if (r.expectedSha256() != null && !r.expectedSha256().equals(sha)) {
            throw new MergeNetException(r.trainedFrom() + ": checkpoint was made for the model with SHA-256 "
                    + r.expectedSha256() + ", but " + r.input() + " has " + sha);
        }
        OnnxModel edited = r.head() == null ? model
                : ClassifierHead.replace(model, r.head().numClasses(), r.head().seed()).model();
        if (r.norm().restore()) {
            edited = RestoreNormalization.structure(edited).model();
        }
        ModelProto proto = edited.proto();
        int changed = 0;
        if (!r.trained().isEmpty()) {
            checkValues(r.trained(), r.trainedFrom(), edited);
            WeightWriteBack.Result wb = WeightWriteBack.apply(edited, r.trained());
            proto = wb.model();
            changed = wb.changed().size();
        }
        if (r.norm().fold()) {
            proto = FoldNormalization.apply(edited.withProto(proto), n -> n.getName().contains(RestoreNormalization.MARK))
                    .model().proto();
        }
        Lineage lineage = r.lineage() != null ? r.lineage() : Lineage.export(sha);
        if (r.head() != null) {
            lineage = lineage.withSetting("num_classes", Integer.toString(r.head().numClasses()));
        }
        if (r.norm().restore()) {
            lineage = lineage.withSetting("normalization", r.norm().fold()
                    ? "restored after folded Convs (--restore-norm), folded into them again (--fold-norm)"
                    : "restored after folded Convs (--restore-norm), kept as BatchNormalization");
        }
        if (r.precision() == Precision.FP16) {
            lineage = lineage.withSetting("precision", "fp16");
        }
        if (r.deployment().embedPreprocessing()) {
            lineage = lineage.withSetting("embedded_preprocessing", r.deployment().input().describe());
        }
        // fp16 first: the embedded preprocessing then runs in float32 in front of the input Cast
        ModelProto out = OnnxExporter.convert(proto, edited, r.precision());
        out = r.deployment().applyToGraph(out, r.input().toString());
        out = r.deployment().stamp(out, lineage, r.output().getFileName().toString());
        out = Provenance.stamp(out, lineage);
        OnnxFileWriter.Written w = OnnxFileWriter.write(out, r.output(), edited.baseDir(),
                options.withInputs(OnnxExporter.inputFiles(edited)));
        return new Result(w, changed, lineage);
    }

    /** Every trained value must be a float tensor of the (re-headed) model with the same shape. */
    static void checkValues(Map<String, NDArray> values, String from, OnnxModel model) {
        Map<String, TensorProto> tensors = floatTensors(model);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : values.entrySet()) {
            TensorProto t = tensors.get(e.getKey());
            Shape shape = e.getValue().getShape();
            if (t == null) {
                problems.add("'" + e.getKey() + "' is not a float tensor of the model");
            } else if (!TensorDecoder.shape(t).equals(shape)) {
                problems.add("'" + e.getKey() + "' has shape " + java.util.Arrays.toString(shape.getShape())
                        + " but the model's is " + java.util.Arrays.toString(TensorDecoder.shape(t).getShape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new MergeNetException((from == null ? "trained values" : from) + ": does not match "
                    + model.origin() + ": " + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? " (and " + (problems.size() - 5) + " more)" : ""));
        }
    }

    /** Float initializers and Constant tensors by name: what an import turns into parameters. */
    static Map<String, TensorProto> floatTensors(OnnxModel model) {
        Map<String, TensorProto> map = new HashMap<>();
        for (TensorProto t : model.proto().getGraph().getInitializerList()) {
            if (OnnxDataTypes.isFloat(t.getDataType())) {
                map.put(t.getName(), t);
            }
        }
        for (NodeProto n : model.proto().getGraph().getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                n.getAttributeList().stream().filter(a -> a.getName().equals("value") && a.hasT()
                        && OnnxDataTypes.isFloat(a.getT().getDataType())).findFirst()
                        .ifPresent(a -> map.put(n.getOutput(0), a.getT()));
            }
        }
        // tensors the import splits off value-merged initializers have the value, type and shape of their root
        dev.mergenet.importers.split.InitializerSplit split = dev.mergenet.importers.split.InitializerSplit.plan(model,
                java.util.Set.of());
        for (dev.mergenet.importers.split.SplitTensor t : split.splits()) {
            TensorProto root = map.get(split.rootOf(t.name()));
            if (root != null) {
                map.putIfAbsent(t.name(), root);
            }
        }
        return map;
    }
}
