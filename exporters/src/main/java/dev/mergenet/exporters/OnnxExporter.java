package dev.mergenet.exporters;

import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Float16Conversion;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.exporters.writeback.WeightWriteBack;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.edit.SoftmaxTail;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Low-level pieces of an export: a trained import written back into the model it was imported from, and the
 * protected write. Whole exports (head, checkpoint, fp16, deployment metadata) go through {@link ExportService}.
 */
public final class OnnxExporter {
    /** Seed of the fresh classifier head, fixed so a checkpoint trained on it can be applied again. */
    public static final long HEAD_SEED = 20240917L;

    private OnnxExporter() {}

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
    public static OnnxFileWriter.Written save(
            OnnxGraphBlock block, Lineage lineage, Path output, WriteOptions options, Precision precision) {
        return write(trainedModel(block, lineage), block.model(), output, options, precision);
    }

    /** Writes a model derived from {@code origin}, protecting origin's files and reading its external data. */
    public static OnnxFileWriter.Written write(
            ModelProto model, OnnxModel origin, Path output, WriteOptions options, Precision precision) {
        return OnnxFileWriter.write(
                convert(model, origin, precision), output, origin.baseDir(), options.withInputs(inputFiles(origin)));
    }

    /** The model in the requested precision (origin's folder holds its external data). */
    static ModelProto convert(ModelProto model, OnnxModel origin, Precision precision) {
        return precision == Precision.FP16 ? Float16Conversion.convert(model, origin.baseDir()) : model;
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
