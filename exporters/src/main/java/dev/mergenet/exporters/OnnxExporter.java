package dev.mergenet.exporters;

import ai.djl.ndarray.NDManager;
import dev.mergenet.exporters.edit.ClassifierHead;
import dev.mergenet.exporters.edit.SoftmaxTail;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Float16Conversion;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.writeback.WeightWriteBack;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The exporter's entry points: a trained import written back into its original model, and the file-level
 * export the CLI runs (optional new head, optional checkpoint, fp16, external data, lineage).
 */
public final class OnnxExporter {
    /** Seed of the fresh classifier head, fixed so a checkpoint trained on it can be applied again. */
    public static final long HEAD_SEED = 20240917L;

    private OnnxExporter() {}

    /** What the CLI asks for. {@code checkpoint} and {@code numClasses} may be null. */
    public record Request(Path input, Path output, Path checkpoint, Integer numClasses, boolean externalData,
                          Precision precision, boolean force) {}

    /** What was written. */
    public record Result(OnnxFileWriter.Written file, int changedTensors, Lineage lineage) {}

    /** The imported graph's current weights in its original model, stamped with the lineage. */
    public static ModelProto trainedModel(OnnxGraphBlock block, Lineage lineage) {
        return Provenance.stamp(WeightWriteBack.apply(block).model(), lineage);
    }

    /**
     * A trained training view (Softmax taken off by {@link SoftmaxTail#trainingView}) written back, with the
     * Softmax nodes put back so the file outputs what the original model did.
     */
    public static ModelProto trainedModel(OnnxGraphBlock block, List<SoftmaxTail.Removed> removed, Lineage lineage) {
        return SoftmaxTail.reattach(trainedModel(block, lineage), removed);
    }

    /** Writes a trained import to {@code output} (never over the model it came from). */
    public static OnnxFileWriter.Written save(OnnxGraphBlock block, Lineage lineage, Path output, WriteOptions options,
                                              Precision precision) {
        return write(trainedModel(block, lineage), block.model(), output, options, precision);
    }

    /** Writes a model derived from {@code origin}, protecting origin's files and reading its external data. */
    public static OnnxFileWriter.Written write(ModelProto model, OnnxModel origin, Path output, WriteOptions options,
                                               Precision precision) {
        ModelProto out = precision == Precision.FP16 ? Float16Conversion.convert(model, origin.baseDir()) : model;
        return OnnxFileWriter.write(out, output, origin.baseDir(), options.withInputs(inputFiles(origin)));
    }

    /** The CLI's export: read, optionally re-head, optionally apply a checkpoint, stamp, write. */
    public static Result export(Request r, NDManager manager) {
        if (!Files.isRegularFile(r.input())) {
            throw new MergeNetException(r.input() + ": no such model file");
        }
        // fail on the output path before any heavy work
        OnnxFileWriter.checkTarget(r.output(), r.output().toAbsolutePath().normalize(),
                new WriteOptions(r.force(), r.externalData(), List.of(r.input())));
        OnnxModel model = OnnxModelReader.read(r.input());
        String sha = ModelHash.sha256(r.input());
        OnnxModel edited = model;
        if (r.numClasses() != null) {
            edited = ClassifierHead.replace(model, r.numClasses(), HEAD_SEED).model();
        }
        Lineage lineage = Lineage.export(sha);
        int changed = 0;
        ModelProto proto = edited.proto();
        if (r.checkpoint() != null) {
            Checkpoint.Meta meta = Checkpoint.meta(r.checkpoint());
            Checkpoint.checkMatches(meta, r.checkpoint(), edited, sha, r.numClasses());
            try (NDManager scratch = manager.newSubManager()) {
                Checkpoint.Contents c = Checkpoint.read(r.checkpoint(), scratch);
                WeightWriteBack.Result wb = WeightWriteBack.apply(edited, c.values());
                proto = wb.model();
                changed = wb.changed().size();
            }
            if (meta.lineage() != null) {
                lineage = meta.lineage();
            } else {
                lineage = new Lineage("train", sha, null, java.util.Map.of(), java.util.Map.of());
            }
        }
        if (r.numClasses() != null) {
            lineage = lineage.withSetting("num_classes", Integer.toString(r.numClasses()));
        }
        if (r.precision() == Precision.FP16) {
            lineage = lineage.withSetting("precision", "fp16");
        }
        ModelProto stamped = Provenance.stamp(proto, lineage);
        OnnxFileWriter.Written w = write(stamped, edited, r.output(),
                new WriteOptions(r.force(), r.externalData(), List.of(r.input())), r.precision());
        return new Result(w, changed, lineage);
    }

    /** The model file and the external data files it reads: never to be overwritten by an export. */
    static List<Path> inputFiles(OnnxModel model) {
        List<Path> files = new ArrayList<>();
        model.file().ifPresent(files::add);
        if (model.baseDir() != null) {
            for (TensorProto t : model.proto().getGraph().getInitializerList()) {
                for (StringStringEntryProto e : t.getExternalDataList()) {
                    if (e.getKey().equals("location")) {
                        files.add(model.baseDir().resolve(e.getValue()));
                    }
                }
            }
        }
        return files;
    }
}
