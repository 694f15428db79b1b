package dev.mergenet.exporters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.deploy.Deployment;
import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.exporters.writeback.WeightWriteBack;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.edit.FoldNormalization;
import dev.mergenet.importers.edit.RestoreNormalization;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.split.InitializerSplit;
import dev.mergenet.importers.split.SplitTensor;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
     * One export, made by {@link #builder(Path, Path)}: the original model (a file the service reads, or an
     * {@link OriginalModel} a job already read and re-headed), an optional head edit, trained values, lineage,
     * deployment metadata, write options and precision.
     */
    public static final class Request {
        private final Path input;
        private final OriginalModel original;
        private final TrainingCheckpoint.HeadEdit head;
        private final Map<String, NDArray> trained;
        private final String trainedFrom;
        private final String expectedSha256;
        private final Lineage lineage;
        private final Deployment deployment;
        private final Path output;
        private final WriteOptions write;
        private final Precision precision;
        private final NormEdit norm;

        private Request(
                Builder b,
                TrainingCheckpoint.HeadEdit head,
                Map<String, NDArray> trained,
                String trainedFrom,
                String expectedSha256,
                Lineage lineage,
                Deployment deployment) {
            this.input = b.input;
            this.original = b.original;
            this.head = head;
            this.trained = trained;
            this.trainedFrom = trainedFrom;
            this.expectedSha256 = expectedSha256;
            this.lineage = lineage;
            this.deployment = deployment;
            this.output = b.output;
            this.write = b.write;
            this.precision = b.precision;
            this.norm = b.norm;
        }

        /**
         * The original model file.
         *
         * @return the original model file
         */
        public Path input() {
            return input;
        }

        /**
         * The original already read (and re-headed), or null when the service reads {@link #input()}.
         *
         * @return the original already read (and re-headed), or null when the service reads {@link #input()}
         */
        public OriginalModel original() {
            return original;
        }

        /**
         * The fresh classifier head, or null for the model's own.
         *
         * @return the fresh classifier head, or null for the model's own
         */
        public TrainingCheckpoint.HeadEdit head() {
            return head;
        }

        /**
         * Trained values by ONNX tensor name; empty for a plain round trip.
         *
         * @return trained values by ONNX tensor name; empty for a plain round trip
         */
        public Map<String, NDArray> trained() {
            return trained;
        }

        /**
         * Where the trained values came from, for messages; may be null.
         *
         * @return where the trained values came from, for messages; may be null
         */
        public String trainedFrom() {
            return trainedFrom;
        }

        /**
         * The SHA-256 the original must have (a checkpoint's), or null.
         *
         * @return the SHA-256 the original must have (a checkpoint's), or null
         */
        public String expectedSha256() {
            return expectedSha256;
        }

        /**
         * The lineage to stamp, or null for a plain export's.
         *
         * @return the lineage to stamp, or null for a plain export's
         */
        public Lineage lineage() {
            return lineage;
        }

        /**
         * Input shape, preprocessing and class names to record.
         *
         * @return input shape, preprocessing and class names to record
         */
        public Deployment deployment() {
            return deployment;
        }

        /**
         * The file to write.
         *
         * @return the file to write
         */
        public Path output() {
            return output;
        }

        /**
         * Force, external data and the files never to overwrite.
         *
         * @return force, external data and the files never to overwrite
         */
        public WriteOptions write() {
            return write;
        }

        /**
         * The precision of the written tensors.
         *
         * @return the precision of the written tensors
         */
        public Precision precision() {
            return precision;
        }

        /** @return the normalization a --restore-norm run put back, kept or folded again */
        public NormEdit norm() {
            return norm;
        }
    }

    /**
     * The normalization edit of a --restore-norm run: {@code restore} puts the BatchNormalizations back as training
     * did (their trained values are then written), {@code fold} folds them into their Convs afterwards (--fold-norm).
     *
     * @param restore whether training restored BatchNormalizations after folded Convs
     * @param fold whether the export folds them back into the Convs
     */
    public record NormEdit(boolean restore, boolean fold) {
        public static final NormEdit NONE = new NormEdit(false, false);

        public NormEdit {
            if (fold && !restore) {
                throw new MergeNetException("--fold-norm folds the BatchNormalizations that --restore-norm put back;"
                        + " this model was not trained with --restore-norm");
            }
        }
    }

    /**
     * A request for exporting {@code input} to {@code output}: by default the model as it is (a round trip), fp32,
     * inline data, never over an existing file.
     *
     * @param input the original .onnx file
     * @param output the file to write
     * @return a builder; {@link Builder#build()} checks what was set
     */
    public static Builder builder(Path input, Path output) {
        return new Builder(input, output);
    }

    /** Builds a {@link Request}; every setter returns this builder. */
    public static final class Builder {
        private final Path input;
        private final Path output;
        private OriginalModel original;
        private TrainingCheckpoint.HeadEdit head;
        private Map<String, NDArray> trained = Map.of();
        private String trainedFrom;
        private Lineage lineage;
        private Deployment deployment = Deployment.NONE;
        private WriteOptions write = WriteOptions.defaults();
        private Precision precision = Precision.FP32;
        private Path checkpointFile;
        private TrainingCheckpoint.Contents checkpoint;
        private boolean embedPreprocessing;
        private NormEdit norm = NormEdit.NONE;
        private boolean foldNorm;

        private Builder(Path input, Path output) {
            this.input = Objects.requireNonNull(input, "input");
            this.output = Objects.requireNonNull(output, "output");
        }

        /**
         * The original as a job already read, hashed and re-headed it: the export neither reads nor re-heads again.
         *
         * @param o the original of {@link #builder(Path, Path)}'s input
         * @return this builder
         */
        public Builder original(OriginalModel o) {
            this.original = o;
            return this;
        }

        /**
         * A fresh classifier head.
         *
         * @param h class count and the seed its weights are drawn with; null keeps the model's own head
         * @return this builder
         */
        public Builder head(TrainingCheckpoint.HeadEdit h) {
            this.head = h;
            return this;
        }

        /**
         * Trained values by ONNX tensor name (e.g. a training run's current weights and statistics).
         *
         * @param values the values; null or empty writes the original's
         * @param from where they came from, for messages
         * @return this builder
         */
        public Builder trained(Map<String, NDArray> values, String from) {
            this.trained = values == null ? Map.of() : values;
            this.trainedFrom = from;
            return this;
        }

        /**
         * Every parameter of an imported graph (weights and BatchNorm statistics) as the trained values.
         *
         * @param block the imported, possibly trained, graph
         * @return this builder
         */
        public Builder trained(OnnxGraphBlock block) {
            Map<String, NDArray> values = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : block.onnxParameters().entrySet()) {
                values.put(e.getKey(), e.getValue().getArray());
            }
            return trained(values, block.model().origin());
        }

        /**
         * A checkpoint's model section, head edit, input adaptation (embedded in the graph when
         * {@code embedPreprocessing}), class names and lineage. A head set with {@link #head} must agree with the
         * checkpoint's.
         *
         * @param file the checkpoint file, for messages
         * @param c its contents
         * @param embed whether the recorded input adaptation goes into the graph
         * @return this builder
         */
        public Builder checkpoint(Path file, TrainingCheckpoint.Contents c, boolean embed) {
            this.checkpointFile = Objects.requireNonNull(file, "file");
            this.checkpoint = Objects.requireNonNull(c, "contents");
            this.embedPreprocessing = embed;
            return this;
        }

        /**
         * Where the model came from and how it was trained, stamped into the metadata.
         *
         * @param l the lineage to stamp; null stamps a plain export's (the input's hash only)
         * @return this builder
         */
        public Builder lineage(Lineage l) {
            this.lineage = l;
            return this;
        }

        /**
         * What a production caller needs from the file alone.
         *
         * @param d input shape, preprocessing and class names to record; null records none
         * @return this builder
         */
        public Builder deployment(Deployment d) {
            this.deployment = d == null ? Deployment.NONE : d;
            return this;
        }

        /**
         * How the file is written.
         *
         * @param w force, external data and the files never to overwrite; null for the defaults
         * @return this builder
         */
        public Builder write(WriteOptions w) {
            this.write = w == null ? WriteOptions.defaults() : w;
            return this;
        }

        /**
         * @param n the BatchNormalizations a --restore-norm run put back, kept or folded; null for none
         * @return this builder
         */
        public Builder norm(NormEdit n) {
            this.norm = n == null ? NormEdit.NONE : n;
            return this;
        }

        /**
         * --fold-norm: fold the BatchNormalizations of a --restore-norm run (named by {@link #norm}, or recognised in
         * a checkpoint by their tensor names) into their Convs.
         *
         * @param fold whether to fold
         * @return this builder
         */
        public Builder foldNorm(boolean fold) {
            this.foldNorm = fold;
            return this;
        }

        /**
         * The precision of the written model.
         *
         * @param p the precision of the written tensors; null for fp32
         * @return this builder
         */
        public Builder precision(Precision p) {
            this.precision = p == null ? Precision.FP32 : p;
            return this;
        }

        /**
         * Checks what was set and makes the request.
         *
         * @return the request
         * @throws MergeNetException if a checkpoint does not fit the request (no model hash, another head, nothing
         *     to embed) or an already-read original is not the input or has another head
         */
        public Request build() {
            if (original != null) {
                if (!original.file().equals(input)) {
                    throw new IllegalArgumentException(
                            "the original read from " + original.file() + " is not the export's input " + input);
                }
                if (head != null && !head.equals(original.head())) {
                    throw new IllegalArgumentException(
                            "the original of " + input + " has the head " + original.head() + ", not " + head);
                }
            }
            TrainingCheckpoint.HeadEdit h = original != null ? original.head() : head;
            // a --restore-norm run trained tensors the restore edit names
            boolean restored = norm.restore()
                    || (checkpoint != null
                            && checkpoint.model().keySet().stream()
                                    .anyMatch(k -> k.contains(RestoreNormalization.MARK)));
            norm = new NormEdit(restored, norm.fold() || foldNorm);
            if (checkpoint == null) {
                return new Request(this, h, trained, trainedFrom, null, lineage, deployment);
            }
            TrainingCheckpoint.Header ch = checkpoint.header();
            Path file = checkpointFile;
            if (ch.modelSha256() == null) {
                throw new MergeNetException(file + ": checkpoint does not name the model it was trained from (no"
                        + " SHA-256); it cannot be exported");
            }
            if (h != null && (ch.head() == null || ch.head().numClasses() != h.numClasses())) {
                throw new MergeNetException(file + ": checkpoint was trained with "
                        + (ch.head() == null ? "the original head" : ch.head().numClasses() + " classes")
                        + " but the export asks for " + h.numClasses() + " classes (--num-classes)");
            }
            if (embedPreprocessing && ch.input() == null) {
                throw new MergeNetException(file + ": checkpoint records no input adaptation; nothing to embed"
                        + " (--embed-preprocessing)");
            }
            if (original != null && !Objects.equals(original.head(), ch.head())) {
                throw new IllegalArgumentException("the original of " + input + " has the head " + original.head()
                        + ", the checkpoint " + ch.head());
            }
            Deployment d = new Deployment(ch.input(), embedPreprocessing, ch.classNames());
            return new Request(this, ch.head(), checkpoint.model(), file.toString(), ch.modelSha256(), ch.lineage(), d);
        }
    }

    /**
     * What was written.
     *
     * @param file the model file (and its data file) with their sizes
     * @param changedTensors how many tensors got trained values
     * @param lineage the lineage stamped into the model
     */
    public record Result(OnnxFileWriter.Written file, int changedTensors, Lineage lineage) {}

    /**
     * Fails now if the request could not be written (output is an input or exists without force, its data file
     * exists without force, folder missing or read-only): callers check before a long training run.
     *
     * @param r the export to check
     * @throws MergeNetException if the input is missing or the output may not be written
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

    /**
     * Writes one export: the original (read and hashed here unless the request carries it already read), re-headed
     * if asked, with the trained values written in, converted, declared, stamped and written atomically.
     *
     * @param r what to export and where
     * @return the written file, how many tensors changed, and the stamped lineage
     * @throws MergeNetException on a bad input, a checkpoint made for another model, trained values that do not
     *     fit, or an output that may not be written
     */
    public static Result export(Request r) {
        checkOutput(r);
        WriteOptions options = r.write().withInputs(List.of(r.input()));
        OriginalModel original = r.original();
        String sha;
        if (original == null) {
            OnnxModelReader.Hashed read = OnnxModelReader.readHashed(r.input());
            sha = read.sha256();
            checkSha(r, sha);
            original = OriginalModel.of(r.input(), read, r.head());
        } else {
            sha = original.sha256();
            checkSha(r, sha);
        }
        OnnxModel edited = original.model();
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
            proto = FoldNormalization.apply(
                            edited.withProto(proto), n -> n.getName().contains(RestoreNormalization.MARK))
                    .model()
                    .proto();
        }
        Lineage lineage = r.lineage() != null ? r.lineage() : Lineage.export(sha);
        if (r.head() != null) {
            lineage =
                    lineage.withSetting("num_classes", Integer.toString(r.head().numClasses()));
        }
        if (r.norm().restore()) {
            lineage = lineage.withSetting(
                    "normalization",
                    r.norm().fold()
                            ? "restored after folded Convs (--restore-norm), folded into them again (--fold-norm)"
                            : "restored after folded Convs (--restore-norm), kept as BatchNormalization");
        }
        if (r.precision() == Precision.FP16) {
            lineage = lineage.withSetting("precision", "fp16");
        }
        if (r.deployment().embedPreprocessing()) {
            lineage = lineage.withSetting(
                    "embedded_preprocessing", r.deployment().input().describe());
        }
        // fp16 first: the embedded preprocessing then runs in float32 in front of the input Cast
        ModelProto out = OnnxExporter.convert(proto, edited, r.precision());
        out = r.deployment().applyToGraph(out, r.input().toString());
        out = r.deployment().stamp(out, lineage, r.output().getFileName().toString());
        out = Provenance.stamp(out, lineage);
        OnnxFileWriter.Written w = OnnxFileWriter.write(
                out, r.output(), edited.baseDir(), options.withInputs(OnnxExporter.inputFiles(edited)));
        return new Result(w, changed, lineage);
    }

    private static void checkSha(Request r, String sha) {
        if (r.expectedSha256() != null && !r.expectedSha256().equals(sha)) {
            throw new MergeNetException(r.trainedFrom() + ": checkpoint was made for the model with SHA-256 "
                    + r.expectedSha256() + ", but " + r.input() + " has " + sha);
        }
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
                problems.add(
                        "'" + e.getKey() + "' has shape " + Arrays.toString(shape.getShape()) + " but the model's is "
                                + Arrays.toString(TensorDecoder.shape(t).getShape()));
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
                n.getAttributeList().stream()
                        .filter(a -> a.getName().equals("value")
                                && a.hasT()
                                && OnnxDataTypes.isFloat(a.getT().getDataType()))
                        .findFirst()
                        .ifPresent(a -> map.put(n.getOutput(0), a.getT()));
            }
        }
        // tensors the import splits off value-merged initializers have the value, type and shape of their root
        InitializerSplit split = InitializerSplit.plan(model, Set.of());
        for (SplitTensor t : split.splits()) {
            TensorProto root = map.get(split.rootOf(t.name()));
            if (root != null) {
                map.putIfAbsent(t.name(), root);
            }
        }
        return map;
    }
}
